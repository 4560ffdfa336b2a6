/** Shows the page for each route in the main area, with the explorer beside the catalog and SQL pages. */
import { createExplorer } from "./catalog/tree-view.js";
import { navigate } from "./router.js";
import { markSection, sectionOf } from "./shell.js";
import { parseTarget } from "./uploads/target.js";

/** Page modules, loaded when first visited (the SQL editor's code is not fetched for the catalog). */
const PAGES = {
  catalogs: () => import("./pages/catalog-page.js"),
  catalog: () => import("./pages/catalog-page.js"),
  schema: () => import("./pages/catalog-page.js"),
  table: () => import("./pages/table-page.js"),
  sql: () => import("./pages/sql-page.js"),
  history: () => import("./pages/history-page.js"),
  volume: () => import("./pages/volume-page.js"),
  uploads: () => import("./pages/uploads-page.js"),
  apps: () => import("./pages/apps-page.js"),
  app: () => import("./pages/app-page.js"),
  "not-found": () => import("./pages/simple-pages.js"),
};

const WITH_EXPLORER = new Set(["catalogs", "catalog", "schema", "table", "volume", "sql", "uploads"]);

/**
 * What the explorer should show for a route: the catalog object it points at (names and the kind
 * of the last one), or for the uploads page the volume of its target folder.
 */
function revealed(route, query) {
  const { catalog, schema, table, volume } = route.params;
  if (route.name === "volume") return { names: [catalog, schema, volume], leaf: "volume" };
  if (route.name === "uploads") {
    const target = parseTarget(query.get("path") ?? "");
    return target.kind === "volume" ? { names: [target.catalog, target.schema, target.volume], leaf: "volume" } : { names: [] };
  }
  return { names: [catalog, schema, table].filter((name) => name !== undefined) };
}

/** Wires routes to pages; `show(route, query)` is the router's handler. */
export function createApp({ client, me, main, explorerContainer, nav }) {
  let explorer = null, unmount = null, sequence = 0;

  function showExplorer(route, query) {
    const visible = WITH_EXPLORER.has(route.name);
    explorerContainer.hidden = !visible;
    if (!visible) return;
    explorer ||= createExplorer(explorerContainer, client);
    if (route.name !== "sql") {
      const { names, leaf } = revealed(route, query);
      explorer.reveal(names, leaf);
    }
  }

  async function show(route, query) {
    const current = (sequence += 1);
    if (route.name === "home") return navigate("/catalog", { replace: true });
    markSection(nav, sectionOf(route.name));
    showExplorer(route, query);
    const page = await PAGES[route.name]();
    if (current !== sequence) return;
    unmount?.();
    unmount = page.mount(main, { route, query, client, me }) ?? null;
  }

  addEventListener("keydown", (event) => {
    if (event.key !== "/" || !explorer || explorerContainer.hidden) return;
    if (event.target.closest?.("input, textarea, select, [contenteditable], .CodeMirror")) return;
    event.preventDefault();
    explorer.focusFilter();
  });

  return { show };
}
