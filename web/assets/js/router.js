/** History-API navigation: every state is a URL; links inside the app are handled without reloads. */
import { parsePath } from "./routes.js";

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
