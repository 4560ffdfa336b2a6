/**
 * Query history (/history?q=…): the user's statements, newest first, searchable (debounced, the
 * search kept in the URL), paged with "load more"; each can be opened in the editor or re-run.
 *
 * `GET /api/sql/history?q=&limit=&before=` → `{ items: [{ id, statement, statement_id, state,
 * started_at, finished_at, duration_ms, row_count, error }], next_before }`.
 */
import { fill, h, setTitle, showPage } from "../dom.js";
import { formatCount, formatDuration, formatTime } from "../format.js";
import { openInNewTab } from "../sql/open-tab.js";
import { reportError } from "../notify.js";

const PAGE = 50;
const SEARCH_DELAY_MS = 300;
const STATE_BADGE = { SUCCEEDED: "text-bg-success", FAILED: "text-bg-danger", CANCELED: "text-bg-secondary", RUNNING: "text-bg-info", PENDING: "text-bg-info" };

/** The history API path for a search and a page. */
export function historyPath(q, before = null) {
  const query = new URLSearchParams({ limit: String(PAGE) });
  if (q) query.set("q", q);
  if (before !== null) query.set("before", String(before));
  return `/api/sql/history?${query}`;
}

function historyItem(item, me) {
  const facts = [formatTime(item.started_at), item.duration_ms != null && formatDuration(item.duration_ms),
    item.row_count != null && `${formatCount(item.row_count)} rows`].filter(Boolean).join(" · ");
  const title = item.statement.split("\n")[0].slice(0, 40);
  return h("li", { class: "list-group-item ff-history-item" },
    h("div", { class: "d-flex align-items-center gap-2 mb-1" },
      h("span", { class: `badge ${STATE_BADGE[item.state] ?? "text-bg-light"}` }, item.state),
      h("span", { class: "small text-muted" }, facts),
      h("span", { class: "ms-auto d-flex gap-2" },
        h("button", { type: "button", class: "btn btn-sm btn-outline-secondary", onclick: () => openInNewTab(me, item.statement, { title }) }, "Open in editor"),
        h("button", { type: "button", class: "btn btn-sm btn-outline-primary", onclick: () => openInNewTab(me, item.statement, { title, run: true }) }, "Re-run"))),
    h("pre", { class: "ff-history-sql mb-0" }, item.statement),
    item.error ? h("div", { class: "small text-danger mt-1" }, item.error) : null);
}

/** Mounts `/history`. */
export function mount(main, { client, me, query }) {
  setTitle("History");
  const search = h("input", { id: "history-search", type: "search", class: "form-control", value: query.get("q") ?? "", autocomplete: "off" });
  const list = h("ul", { class: "list-group mb-3", "aria-label": "Statements" });
  const footer = h("div", {});
  const status = h("p", { class: "visually-hidden", role: "status" });
  showPage(main, "Query history",
    h("div", { class: "mb-3 ff-narrow" }, h("label", { for: "history-search", class: "form-label" }, "Search your statements"), search),
    status, list, footer);
  let generation = 0, timer = 0;

  async function load(before) {
    const mine = generation;
    footer.replaceChildren(h("p", { class: "text-muted" }, "Loading…"));
    try {
      const body = await client.get(historyPath(search.value.trim(), before), { cache: false });
      if (mine !== generation) return;
      list.append(...(body.items ?? []).map((item) => historyItem(item, me)));
      status.textContent = `${list.children.length} statements shown`;
      fill(footer, body.next_before != null
        ? h("button", { type: "button", class: "btn btn-outline-secondary btn-sm", onclick: () => load(body.next_before) }, "Load more")
        : emptyNote());
    } catch (error) {
      if (mine === generation) reportError(error, { target: footer, title: "Could not load your history", retry: () => load(before) });
    }
  }

  const emptyNote = () => (list.children.length ? null : h("p", { class: "text-muted" },
    search.value.trim() ? "No statements match this search." : "You have not run any statements yet. Open the SQL editor to run one."));

  function restart() {
    generation += 1;
    list.replaceChildren();
    const q = search.value.trim();
    history.replaceState(null, "", q ? `/history?q=${encodeURIComponent(q)}` : "/history");
    load(null);
  }

  search.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(restart, SEARCH_DELAY_MS);
  });
  load(null);
  return () => clearTimeout(timer);
}
