/** A table's page: its columns, its properties, a preview of its rows, and "Query this table". */
import { h, icon, setTitle, showPage } from "../dom.js";
import { previewPath, tablePath } from "../catalog/paths.js";
import { formatCount, formatTime } from "../format.js";
import { catalogPath } from "../router.js";
import { openInNewTab } from "../sql/open-tab.js";
import { previewQuery } from "../sql/quote.js";
import { followStatement } from "../sql/statement-run.js";
import { statementError } from "../sql/statement-error.js";
import { reportError } from "../notify.js";

const PREVIEW_ROWS = 100;
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** "Yes"/"No" for nullable; Unity Catalog omits the field for nullable columns. */
const nullable = (column) => (column.nullable === false ? "No" : "Yes");

function columnsTable(columns) {
  if (!columns?.length) return h("p", { class: "text-muted" }, "Unity Catalog lists no columns for this object.");
  return h("div", { class: "table-responsive" }, h("table", { class: "table table-sm table-hover align-middle ff-columns" },
    h("caption", { class: "visually-hidden" }, "Columns"),
    h("thead", {}, h("tr", {}, ["Name", "Type", "Nullable", "Comment"].map((title) => h("th", { scope: "col" }, title)))),
    h("tbody", {}, columns.map((column) => h("tr", {},
      h("td", {}, h("code", {}, column.name)), h("td", {}, column.type_text ?? column.type_name ?? ""),
      h("td", {}, nullable(column)), h("td", {}, column.comment ?? ""))))));
}

function propertyList(info) {
  const by = (time, who) => [formatTime(time), who ? ` by ${who}` : ""].join("");
  const entries = [
    ["Type", info.table_type], ["Format", info.data_source_format], ["Owner", info.owner],
    ["Storage location", info.storage_location && h("code", { class: "ff-wrap" }, info.storage_location)],
    ["Created", by(info.created_at, info.created_by)], ["Updated", by(info.updated_at, info.updated_by)],
    ["Comment", info.comment],
  ].filter(([, value]) => value);
  return h("dl", { class: "row ff-properties mb-0" }, entries.flatMap(([term, value]) => [
    h("dt", { class: "col-sm-4 col-lg-3" }, term), h("dd", { class: "col-sm-8 col-lg-9" }, value)]));
}

function previewTable(answer) {
  const columns = answer.manifest?.schema?.columns ?? [];
  const rows = answer.result?.data_array ?? [];
  if (rows.length === 0) return h("p", { class: "text-muted" }, "The table has no rows.");
  return h("div", {},
    h("p", { class: "small text-muted" }, `First ${formatCount(rows.length)} rows.`),
    h("div", { class: "ff-preview", tabindex: "0", role: "region", "aria-label": "Preview rows" },
      h("table", { class: "table table-sm table-striped mb-0" },
        h("thead", {}, h("tr", {}, columns.map((column) => h("th", { scope: "col", title: column.type_text ?? "" }, column.name)))),
        h("tbody", {}, rows.map((row) => h("tr", {}, row.map((cell) => h("td", { class: cell === null ? "ff-null" : null }, cell ?? "NULL"))))))));
}

/** Loads the preview (following the statement while it runs) into `target`. */
function loadPreview(client, path, target) {
  target.replaceChildren(h("p", { class: "text-muted", role: "status" }, "Running SELECT … LIMIT 100 on the warehouse…"));
  const load = () => client.get(path)
    .then((answer) => followStatement(client, answer, { sleep }))
    .then((answer) => {
      if (answer.status?.state === "SUCCEEDED") return target.replaceChildren(previewTable(answer));
      const failure = statementError(answer.status);
      target.replaceChildren(h("div", { class: "alert alert-warning" }, `The preview did not run: ${failure.message}`));
    }, (error) => reportError(error, { target, title: "Could not preview the table", retry: load }));
  load();
}

/** Mounts `/catalog/c/s/t`; returns the unmount (stops watching the table's description). */
export function mount(main, { route, client, me }) {
  const { catalog, schema, table } = route.params;
  setTitle(table, `${catalog}.${schema}`);
  const details = h("div", {}, h("p", { class: "text-muted" }, "Loading…"));
  const preview = h("div", {});
  const query = h("button", { type: "button", class: "btn btn-primary btn-sm" }, icon("play-fill", "ff-icon ff-icon-light"), " Query this table");
  query.addEventListener("click", () => openInNewTab(me, previewQuery(catalog, schema, table, PREVIEW_ROWS), { title: table }));
  showPage(main, table,
    h("nav", { "aria-label": "Breadcrumb" }, h("ol", { class: "breadcrumb small" },
      h("li", { class: "breadcrumb-item" }, h("a", { href: catalogPath(catalog) }, catalog)),
      h("li", { class: "breadcrumb-item" }, h("a", { href: catalogPath(catalog, schema) }, schema)),
      h("li", { class: "breadcrumb-item active", "aria-current": "page" }, table))),
    h("div", { class: "mb-3" }, query),
    details,
    h("section", { class: "mt-4" }, h("h2", { class: "h6 text-uppercase text-muted" }, "Preview"), preview));
  let previewed = false;
  return client.watch(tablePath(catalog, schema, table), ({ data, error }) => {
    if (error) return reportError(error, { target: details, title: "Could not load the table" });
    details.replaceChildren(
      h("section", { class: "mb-4" }, h("h2", { class: "h6 text-uppercase text-muted" }, "Details"), propertyList(data)),
      h("section", {}, h("h2", { class: "h6 text-uppercase text-muted" }, `Columns (${data.columns?.length ?? 0})`), columnsTable(data.columns)));
    if (!previewed) loadPreview(client, previewPath(catalog, schema, table, PREVIEW_ROWS), preview);
    previewed = true;
  });
}
