/** The catalog, catalog and schema pages: what is inside, with links, and what to do next. */
import { fill, h, setTitle, showPage } from "../dom.js";
import { listItems, listPath } from "../catalog/paths.js";
import { catalogPath, volumePath } from "../router.js";
import { reportError } from "../notify.js";

const SHOWN = 100;

/** A list of links to child objects from the first page of a list (more are in the explorer). */
function childList(client, { kind, names, empty, link = (name) => catalogPath(...names, name) }) {
  const target = h("div", {}, h("p", { class: "text-muted" }, "Loading…"));
  const load = () => client.get(listPath(kind, names)).then((body) => {
    const { items, nextPageToken } = listItems(kind, body);
    if (items.length === 0 && !nextPageToken) return target.replaceChildren(h("p", { class: "text-muted" }, empty));
    const entries = items.slice(0, SHOWN).map((item) => h("li", { class: "list-group-item" },
      h("a", { href: link(item.name) }, item.name),
      item.comment ? h("div", { class: "small text-muted" }, item.comment) : null));
    const more = items.length > SHOWN || nextPageToken
      ? h("p", { class: "small text-muted mt-2" }, `Showing the first ${Math.min(items.length, SHOWN)}; use the explorer's filter and "load more" for the rest.`)
      : null;
    fill(target, h("ul", { class: "list-group ff-list" }, entries), more);
  }, (error) => reportError(error, { target, title: `Could not list the ${kind}`, retry: load }));
  load();
  return target;
}

const section = (title, ...content) => h("section", { class: "mb-4" }, h("h2", { class: "h6 text-uppercase text-muted" }, title), ...content);

/** Mounts `/catalog`, `/catalog/c` or `/catalog/c/s`. */
export function mount(main, { route, client }) {
  const { catalog, schema } = route.params;
  if (schema !== undefined) {
    setTitle(`${catalog}.${schema}`);
    showPage(main, h("span", {}, h("a", { href: catalogPath(catalog) }, catalog), ".", schema),
      section("Tables", childList(client, { kind: "tables", names: [catalog, schema], empty: "No tables in this schema." })),
      section("Volumes", childList(client, {
        kind: "volumes", names: [catalog, schema], empty: "No volumes in this schema.", link: (name) => volumePath(catalog, schema, name),
      })));
  } else if (catalog !== undefined) {
    setTitle(catalog);
    showPage(main, catalog, section("Schemas", childList(client, { kind: "schemas", names: [catalog], empty: "No schemas in this catalog that you can see." })));
  } else {
    setTitle("Catalog");
    showPage(main, "Catalog",
      h("p", {}, "Browse what your organization's service principal can see: open a catalog in the explorer on the left (press / to filter), or write a query in the ",
        h("a", { href: "/sql" }, "SQL editor"), "."),
      section("Catalogs", childList(client, {
        kind: "catalogs", names: [], empty: "No catalogs are granted to your organization's service principal — ask your administrator.",
      })));
  }
}
