/** The application's URLs: path → route and route → path, pure so reloads and links are tested. */

const decode = (segment) => {
  try {
    return decodeURIComponent(segment);
  } catch {
    return null;
  }
};

/** Route for a pathname: `{ name, params }`; unknown paths are `{ name: "not-found" }`. */
export function parsePath(pathname) {
  const parts = pathname.split("/").filter((part) => part !== "").map(decode);
  if (parts.includes(null)) return { name: "not-found", params: {} };
  const [head, ...rest] = parts;
  if (head === undefined) return { name: "home", params: {} };
  if (head === "catalog" && rest.length <= 3) return catalogRoute(rest);
  if (head === "sql" && rest.length <= 1) return { name: "sql", params: { tab: rest[0] ?? null } };
  if (parts.length === 1 && ["history", "uploads", "apps"].includes(head)) return { name: head, params: {} };
  return { name: "not-found", params: {} };
}

function catalogRoute([catalog, schema, table]) {
  if (table !== undefined) return { name: "table", params: { catalog, schema, table } };
  if (schema !== undefined) return { name: "schema", params: { catalog, schema } };
  if (catalog !== undefined) return { name: "catalog", params: { catalog } };
  return { name: "catalogs", params: {} };
}

/** The pathname of a catalog object: `/catalog`, `/catalog/c`, `/catalog/c/s` or `/catalog/c/s/t`. */
export function catalogPath(...names) {
  return ["/catalog", ...names.map(encodeURIComponent)].join("/");
}

/** The pathname of a SQL editor tab. */
export function sqlPath(tabId) {
  return tabId ? `/sql/${encodeURIComponent(tabId)}` : "/sql";
}

/** `/auth/login?return_to=…` for a location (path and query only: the server accepts local paths). */
export function loginPath({ pathname, search = "" }) {
  return `/auth/login?return_to=${encodeURIComponent(pathname + search)}`;
}
