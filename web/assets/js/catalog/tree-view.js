/**
 * The catalog explorer on the left: a filter box and an ARIA tree drawn from the tree model,
 * only the rows in view (plus the focused one), loading one level per expansion through the data
 * layer, one page at a time.
 */
import { h, icon } from "../dom.js";
import { catalogPath, navigate, volumePath } from "../router.js";
import { scrollToReveal, visibleRange } from "../windowing.js";
import { listItems, listPath } from "./paths.js";
import {
  ROOT, addPage, createTree, flatten, keyAction, listKinds, listState, markFailed, markLoading, nodeId, toggle,
} from "./tree-model.js";

const ROW_HEIGHT = 28;
const INDENT = 14;
const ICONS = { catalog: "journal-bookmark", schema: "collection", table: "table", volume: "folder2" };
const KIND_BY_DEPTH = ["catalog", "schema", "table"];
const LABELS = { catalogs: "catalogs", schemas: "schemas", tables: "tables", volumes: "volumes" };

/** Creates the explorer inside `container`; returns `{ reveal, focusFilter }`. */
export function createExplorer(container, client) {
  const tree = createTree();
  let rows = [], active = 0, selectedId = null, filter = "", frame = 0;

  const filterInput = h("input", {
    id: "tree-filter", type: "search", class: "form-control form-control-sm", placeholder: "Filter loaded names  ( / )",
    autocomplete: "off", spellcheck: "false",
  });
  const sizer = h("div", { class: "ff-tree-sizer", "aria-hidden": "true" });
  const treeElement = h("div", { role: "tree", class: "ff-tree", "aria-label": "Catalogs, schemas, tables and volumes" }, sizer);
  container.replaceChildren(h("div", { class: "ff-explorer-inner" },
    h("label", { for: "tree-filter", class: "visually-hidden" }, "Filter the loaded catalogs, schemas, tables and volumes"),
    filterInput, treeElement));

  const inflight = new Map(); // "parentId|kind" → the load in progress

  /** Loads the next page of one list under a node (a load in progress is shared, not repeated). */
  function loadPage(parentId, kind) {
    const key = `${parentId}|${kind}`;
    if (inflight.has(key)) return inflight.get(key);
    const load = (async () => {
      const before = listState(tree, parentId, kind);
      markLoading(tree, parentId, kind);
      refresh();
      try {
        const body = await client.get(listPath(kind, tree.nodes.get(parentId).names, before?.nextPageToken));
        const { items, nextPageToken } = listItems(kind, body);
        addPage(tree, parentId, kind, items, nextPageToken);
      } catch (error) {
        markFailed(tree, parentId, kind, error);
      }
      refresh();
    })().finally(() => inflight.delete(key));
    inflight.set(key, load);
    return load;
  }

  /**
   * Loads the first page of every list under a node that has never been asked for, and waits for
   * those already loading (so `reveal` right after the first load finds the nodes).
   */
  const ensureLoaded = (id) => Promise.all(listKinds(tree.nodes.get(id).kind)
    .filter((kind) => !listState(tree, id, kind) || inflight.has(`${id}|${kind}`))
    .map((kind) => loadPage(id, kind)));

  function setExpanded(id, expand) {
    toggle(tree, id, expand);
    refresh();
    return expand ? ensureLoaded(id) : Promise.resolve();
  }

  /** Opens what a row stands for: its page (a volume's files), a further page of a list, or a retry. */
  function activate(row) {
    if (row.type === "more" || row.type === "error") return loadPage(row.parentId, row.kind);
    if (row.type !== "node") return;
    const { node } = row;
    if (row.expandable) setExpanded(node.id, !row.expanded);
    selectedId = node.id;
    navigate(node.kind === "volume" ? volumePath(...node.names) : catalogPath(...node.names));
  }

  function rowLabel(row) {
    if (row.type === "node") return [h("span", { class: "ff-twisty", "aria-hidden": "true" }, row.expandable ? (row.expanded ? "▾" : "▸") : ""),
      icon(ICONS[row.node.kind]), h("span", { class: "ff-tree-name" }, row.node.name)];
    if (row.type === "loading") return h("span", { class: "text-muted" }, "Loading…");
    if (row.type === "more") return h("span", { class: "ff-more" }, `Load more ${LABELS[row.kind]}…`);
    if (row.type === "empty") return h("span", { class: "text-muted ff-wrap" }, row.text);
    return h("span", { class: "text-danger" }, `${row.error?.message ?? "Could not load."} `, h("span", { class: "ff-more" }, "Try again"));
  }

  function rowElement(row, index) {
    const element = h("div", {
      role: "treeitem", class: `ff-tree-row ff-row-${row.type}`, tabindex: index === active ? "0" : "-1",
      "aria-level": row.level, "aria-expanded": row.expandable ? String(row.expanded) : null,
      "aria-selected": row.type === "node" ? String(row.id === selectedId) : null,
      "aria-setsize": row.setsize ?? null, "aria-posinset": row.posinset ?? null, "data-index": index,
    }, rowLabel(row));
    element.style.top = `${index * ROW_HEIGHT}px`;
    element.style.paddingLeft = `${(row.level - 1) * INDENT + 4}px`;
    return element;
  }

  /** Draws the rows in view (and the focusable one), keeping keyboard focus where it was. */
  function draw() {
    frame = 0;
    const range = visibleRange({ scrollTop: treeElement.scrollTop, viewportHeight: treeElement.clientHeight, rowHeight: ROW_HEIGHT, count: rows.length, overscan: 10 });
    const indices = [];
    for (let i = range.start; i < range.end; i += 1) indices.push(i);
    if (rows.length && (active < range.start || active >= range.end)) indices.push(active);
    const hadFocus = treeElement.contains(document.activeElement);
    sizer.style.height = `${range.totalHeight}px`;
    treeElement.replaceChildren(sizer, ...indices.map((i) => rowElement(rows[i], i)));
    if (hadFocus) focusActive();
  }

  const scheduleDraw = () => { frame ||= requestAnimationFrame(draw); };

  function focusActive() {
    treeElement.querySelector(`[data-index="${active}"]`)?.focus({ preventScroll: true });
  }

  /** Recomputes the rows after a change of data, expansion or filter. */
  function refresh() {
    rows = flatten(tree, filter);
    active = Math.min(active, Math.max(rows.length - 1, 0));
    draw();
  }

  function moveTo(index) {
    active = index;
    treeElement.scrollTop = scrollToReveal({ index, scrollTop: treeElement.scrollTop, viewportHeight: treeElement.clientHeight, rowHeight: ROW_HEIGHT });
    draw();
    focusActive();
  }

  treeElement.addEventListener("keydown", (event) => {
    const result = keyAction(rows, active, event.key);
    if (!result) return;
    event.preventDefault();
    if (result.focus !== undefined) return moveTo(result.focus);
    const row = rows[active];
    if (result.action === "activate") activate(row);
    else setExpanded(row.id, result.action === "expand");
  });
  treeElement.addEventListener("click", (event) => {
    const element = event.target.closest("[data-index]");
    if (!element) return;
    active = Number(element.dataset.index);
    activate(rows[active]);
  });
  treeElement.addEventListener("focusin", (event) => {
    const element = event.target.closest("[data-index]");
    if (element) active = Number(element.dataset.index);
  });
  treeElement.addEventListener("scroll", scheduleDraw, { passive: true });
  new ResizeObserver(scheduleDraw).observe(treeElement);
  filterInput.addEventListener("input", () => {
    filter = filterInput.value;
    refresh();
  });
  filterInput.addEventListener("keydown", (event) => {
    if (event.key === "ArrowDown" && rows.length) {
      event.preventDefault();
      moveTo(0);
    }
  });

  /**
   * Shows the object at `names` (catalog, schema, then a table or, with `leaf` "volume", a volume):
   * loads and expands its ancestors, and the object itself when it has children, unless the tree
   * itself just opened it; marks it selected.
   */
  async function reveal(names, leaf = KIND_BY_DEPTH[names.length - 1]) {
    await ensureLoaded(ROOT);
    for (let depth = 1; depth <= names.length; depth += 1) {
      const id = nodeId(depth === names.length ? leaf : KIND_BY_DEPTH[depth - 1], names.slice(0, depth));
      if (!tree.nodes.has(id)) break;
      const isTarget = depth === names.length;
      if (!isTarget || (selectedId !== id && depth < 3)) await setExpanded(id, true);
      if (isTarget) selectedId = id;
    }
    refresh();
    const index = rows.findIndex((row) => row.id === selectedId);
    if (index >= 0 && !treeElement.contains(document.activeElement)) moveToQuietly(index);
  }

  /** Makes a row the focusable one and scrolls it into view without taking the focus. */
  function moveToQuietly(index) {
    active = index;
    treeElement.scrollTop = scrollToReveal({ index, scrollTop: treeElement.scrollTop, viewportHeight: treeElement.clientHeight, rowHeight: ROW_HEIGHT });
    draw();
  }

  refresh();
  ensureLoaded(ROOT);
  return { reveal, focusFilter: () => filterInput.focus() };
}
