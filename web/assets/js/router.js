/**
 * The application's URLs — path → route and route → path (pure, so reloads and links are tested) —
 * and History-API navigation: every state is a URL; links inside the app need no reload.
 */

const decode = (segment) => {
  try {
    return decodeURIComponent(segment);
  } catch {
    return null;
  }
};

/**
 * Route for a pathname: `{ name, params }`; unknown paths are `{ name: "not-found" }`. Routes:
 * `/catalog[/c[/s[/t]]]`, `/catalog/c/s/volumes/v[/folder…]`, `/sql[/tab]`, `/history`, `/uploads`,
 * `/apps[/name]`.
 */
export function parsePath(pathname) {
  const parts = pathname.split("/").filter((part) => part !== "").map(decode);
  if (parts.includes(null)) return { name: "not-found", params: {} };
  const [head, ...rest] = parts;
  if (head === undefined) return { name: "home", params: {} };
  if (head === "catalog" && rest.length <= 3) return catalogRoute(rest);
  if (head === "catalog" && rest[2] === "volumes") {
    const [catalog, schema, , volume, ...folder] = rest;
    return { name: "volume", params: { catalog, schema, volume, folder } };
  }
  if (head === "sql" && rest.length <= 1) return { name: "sql", params: { tab: rest[0] ?? null } };
  if (head === "apps" && rest.length === 1) return { name: "app", params: { app: rest[0] } };
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

/**
 * The pathname of a volume folder: `/catalog/c/s/volumes/v` for its root, `/catalog/c/s/volumes/v/a/b`
 * for the folder a/b inside it (a table may be called "volumes": tables have three segments, volumes five or more).
 */
export function volumePath(catalog, schema, volume, folder = []) {
  return [catalogPath(catalog, schema), "volumes", ...[volume, ...folder].map(encodeURIComponent)].join("/");
}

/** The pathname of an app's page (`/apps/{name}`), or of the list without a name. */
export function appPath(name) {
  return name ? `/apps/${encodeURIComponent(name)}` : "/apps";
}

/** The uploads page, aimed at a target folder (`/Volumes/c/s/v/dir` or `dbfs:/dir`) when given. */
export function uploadsPath(target) {
  return target ? `/uploads?${new URLSearchParams({ path: target })}` : "/uploads";
}

/** The pathname of a SQL editor tab. */
export function sqlPath(tabId) {
  return tabId ? `/sql/${encodeURIComponent(tabId)}` : "/sql";
}

/** `/auth/login?return_to=…` for a location (path and query only: the server accepts local paths). */
export function loginPath({ pathname, search = "" }) {
  return `/auth/login?return_to=${encodeURIComponent(pathname + search)}`;
}

let onRoute = () => {};

/** Paths the server handles itself (a full page load, never the single-page app). */
const SERVER_PATHS = /^\/(api|auth|assets|javascript|icons)\//;

/** Goes to `path` (with its query) in the app, adding a history entry unless `replace`. */
export function navigate(path, { replace = false } = {}) {
  if (path !== location.pathname + location.search) {
    history[replace ? "replaceState" : "pushState"](null, "", path);
  }
  render();
}

/** Re-renders the current URL. */
export function render() {
  onRoute(parsePath(location.pathname), new URLSearchParams(location.search));
}

/** True for a plain left click on an in-app link (no new tab, window or download wanted). */
function isAppClick(event, link) {
  if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return false;
  if (!link || link.target || link.hasAttribute("download") || link.origin !== location.origin) return false;
  return !SERVER_PATHS.test(link.pathname);
}

/** Starts routing: `handler(route, query)` runs now and on every navigation, back and forward. */
export function startRouter(handler) {
  onRoute = handler;
  addEventListener("popstate", render);
  document.addEventListener("click", (event) => {
    const link = event.target.closest?.("a[href]");
    if (!isAppClick(event, link)) return;
    event.preventDefault();
    navigate(link.pathname + link.search);
  });
  render();
}
