/**
 * Upload targets: the folder a user types or picks, checked with the server's rules before any
 * byte moves. A target is `/Volumes/<catalog>/<schema>/<volume>[/<folder>…]` or `dbfs:/<folder>…`;
 * no segment may be empty, `.` or `..`, or hold a control character.
 */

const badSegment = (segment) => segment === "" || segment === "." || segment === ".." || /[\u0000-\u001f\u007f]/.test(segment);

const VOLUME_PREFIX = "/Volumes/";
const DBFS_PREFIX = "dbfs:/";

/**
 * `{ kind: "volume", catalog, schema, volume, folder: [...], text }`, `{ kind: "dbfs", folder: [...], text }`
 * or `{ error }` with what to type instead. `text` is the canonical folder (no trailing slash but
 * for the DBFS root).
 */
export function parseTarget(raw) {
  const text = String(raw ?? "").trim();
  if (!text) return { error: "Type a folder: /Volumes/catalog/schema/volume/… or dbfs:/…" };
  const rest = (prefix) => text.slice(prefix.length).replace(/\/+$/, "");
  if (text.startsWith(VOLUME_PREFIX)) {
    const parts = rest(VOLUME_PREFIX).split("/");
    if (parts.length < 3 || parts.slice(0, 3).some((part) => part === "")) {
      return { error: "A volume folder starts with its catalog, schema and volume: /Volumes/catalog/schema/volume/…" };
    }
    if (parts.some(badSegment)) return { error: "Folder names may not be empty, “.” or “..”, or hold control characters." };
    const [catalog, schema, volume, ...folder] = parts;
    return { kind: "volume", catalog, schema, volume, folder, text: VOLUME_PREFIX + parts.join("/") };
  }
  if (text.startsWith(DBFS_PREFIX)) {
    const inner = rest(DBFS_PREFIX);
    const folder = inner === "" ? [] : inner.split("/");
    if (folder.some(badSegment)) return { error: "Folder names may not be empty, “.” or “..”, or hold control characters." };
    return { kind: "dbfs", folder, text: DBFS_PREFIX + folder.join("/") };
  }
  return { error: "The folder must start with /Volumes/ (a Unity Catalog volume) or dbfs:/." };
}

/** The full path of file `name` inside a parsed target. */
export const filePath = (target, name) => (target.text.endsWith("/") ? target.text + name : `${target.text}/${name}`);

/** Why a file name cannot be uploaded as it is, or null. */
export function fileNameProblem(name) {
  if (badSegment(name) || name.includes("/")) return "Its name cannot be a file name on a volume (empty, “.”, “..”, a slash or a control character).";
  return null;
}

/** The `/Volumes/…` path of a volume folder from its names. */
export const volumeFolderText = (catalog, schema, volume, folder = []) => VOLUME_PREFIX + [catalog, schema, volume, ...folder].join("/");

/** The DBFS folder FireFly allows an organization by default (FIREFLY_DBFS_ALLOWED_PREFIXES). */
export const defaultDbfsFolder = (slug) => `${DBFS_PREFIX}FileStore/firefly/${slug}`;
