/**
 * The result grid: a scroll area the height of every row, with only the rows in view drawn as
 * absolutely positioned rows of fixed height. Chunks are fetched as their rows come into view.
 * ARIA grid with one focusable cell; arrows move it, Ctrl/Cmd+C copies it; headers sort.
 */
import { copyText, h } from "../dom.js";
import { csvLine } from "../csv.js";
import { reportError } from "../notify.js";
import { scrollToReveal, visibleRange } from "../windowing.js";

const ROW_HEIGHT = 26;
const COLUMN_WIDTH = 180;
const NUMBER_WIDTH = 72;
const NEXT_SORT = { none: "ascending", ascending: "descending", descending: "none" };

/** Creates the grid in `container`; `onChange()` runs after sorting or loading changes the summary. */
export function createResultGrid(container, client, { onChange = () => {} } = {}) {
  let store = null, statementId = null, frame = 0;
  let active = { row: 0, column: 0 };
  const inflight = new Set();
  const head = h("div", { role: "rowgroup", class: "ff-grid-head" });
  const body = h("div", { role: "rowgroup", class: "ff-grid-body" });
  const grid = h("div", { role: "grid", class: "ff-grid", "aria-label": "Result rows", "aria-readonly": "true" }, head, body);
  container.replaceChildren(grid);

  const width = () => NUMBER_WIDTH + store.columns.length * COLUMN_WIDTH;
  const viewportRows = () => Math.max(1, Math.floor((grid.clientHeight - ROW_HEIGHT) / ROW_HEIGHT));

  function headerCell(column, index) {
    const sort = store.sortState();
    const state = sort?.column === index ? sort.direction : "none";
    const button = h("button", { type: "button", class: "ff-sort", title: `Sort the loaded rows by ${column.name}` },
      h("span", { class: "ff-col-name" }, column.name), h("span", { class: "ff-col-type" }, column.type_text ?? column.type_name ?? ""),
      h("span", { class: "ff-sort-mark", "aria-hidden": "true" }, { ascending: "▲", descending: "▼", none: "" }[state]));
    button.addEventListener("click", () => {
      const next = NEXT_SORT[state];
      store.setSort(index, next === "none" ? null : next);
      renderHead();
      draw();
      onChange();
    });
    return h("div", { role: "columnheader", class: "ff-cell", "aria-sort": state, "aria-colindex": index + 2 }, button);
  }

  function renderHead() {
    const row = h("div", { role: "row", class: "ff-grid-row", "aria-rowindex": 1 },
      h("div", { role: "columnheader", class: "ff-cell ff-num", "aria-colindex": 1 }, h("span", { class: "visually-hidden" }, "Row")),
      store.columns.map(headerCell));
    row.style.width = `${width()}px`;
    head.replaceChildren(row);
  }

  function cell(value, rowIndex, columnIndex) {
    const isActive = rowIndex === active.row && columnIndex === active.column;
    const text = value === undefined ? "…" : value === null ? "NULL" : value;
    return h("div", {
      role: "gridcell", class: `ff-cell${value === null ? " ff-null" : ""}${isActive ? " ff-active" : ""}`,
      tabindex: isActive ? "0" : "-1", "aria-colindex": columnIndex + 2, "data-row": rowIndex, "data-column": columnIndex,
    }, text);
  }

  function rowElement(index) {
    const values = store.row(index);
    const element = h("div", { role: "row", class: "ff-grid-row", "aria-rowindex": index + 2 },
      h("div", { role: "rowheader", class: "ff-cell ff-num", "aria-colindex": 1 }, String(index + 1)),
      store.columns.map((_, column) => cell(values ? values[column] : undefined, index, column)));
    element.style.top = `${index * ROW_HEIGHT}px`;
    element.style.width = `${width()}px`;
    return element;
  }

  /** Fetches the chunks that rows [start, end) need, once each. */
  function fetchChunks(start, end) {
    for (const chunk of store.missingChunks(start, end)) {
      if (inflight.has(chunk)) continue;
      inflight.add(chunk);
      const forStore = store;
      client.get(`/api/sql/statements/${encodeURIComponent(statementId)}/result/chunks/${chunk}`, { cache: false })
        .then((result) => {
          if (forStore !== store) return;
          store.addChunk({ ...result, chunk_index: result.chunk_index ?? chunk });
          scheduleDraw();
          onChange();
        }, (error) => reportError(error, { title: `Could not load rows (chunk ${chunk})` }))
        .finally(() => inflight.delete(chunk));
    }
  }

  /** Draws the rows in view. */
  function draw() {
    frame = 0;
    if (!store) return;
    const count = store.rowCount();
    const range = visibleRange({ scrollTop: grid.scrollTop, viewportHeight: grid.clientHeight, rowHeight: ROW_HEIGHT, count, overscan: 8 });
    grid.setAttribute("aria-rowcount", String(count + 1));
    body.style.height = `${range.totalHeight}px`;
    body.style.width = `${width()}px`;
    const hadFocus = grid.contains(document.activeElement) && document.activeElement.getAttribute("role") === "gridcell";
    const rows = [];
    for (let i = range.start; i < range.end; i += 1) rows.push(rowElement(i));
    body.replaceChildren(...rows);
    if (hadFocus) focusActive();
    fetchChunks(range.start, range.end);
  }

  const scheduleDraw = () => { frame ||= requestAnimationFrame(draw); };
  const focusActive = () => body.querySelector(".ff-active")?.focus({ preventScroll: true });

  function moveTo(row, column) {
    const count = store.rowCount();
    active = { row: Math.max(0, Math.min(row, count - 1)), column: Math.max(0, Math.min(column, store.columns.length - 1)) };
    grid.scrollTop = scrollToReveal({ index: active.row, scrollTop: grid.scrollTop, viewportHeight: grid.clientHeight - ROW_HEIGHT, rowHeight: ROW_HEIGHT });
    draw();
    focusActive();
  }

  /** The active cell's text and its row as a CSV line, for the copy buttons. */
  const activeValues = () => store?.row(active.row) ?? null;
  async function copyCell() {
    const values = activeValues();
    return values ? copyText(values[active.column] ?? "") : false;
  }
  async function copyRow() {
    const values = activeValues();
    return values ? copyText(csvLine(values).trimEnd()) : false;
  }

  const KEYS = {
    ArrowDown: () => [active.row + 1, active.column], ArrowUp: () => [active.row - 1, active.column],
    ArrowRight: () => [active.row, active.column + 1], ArrowLeft: () => [active.row, active.column - 1],
    PageDown: () => [active.row + viewportRows(), active.column], PageUp: () => [active.row - viewportRows(), active.column],
    Home: (event) => [event.ctrlKey ? 0 : active.row, 0], End: (event) => [event.ctrlKey ? store.rowCount() - 1 : active.row, store.columns.length - 1],
  };

  body.addEventListener("keydown", (event) => {
    if (!store) return;
    if ((event.ctrlKey || event.metaKey) && event.key === "c") {
      event.preventDefault();
      copyCell();
      return;
    }
    const move = KEYS[event.key];
    if (!move) return;
    event.preventDefault();
    moveTo(...move(event));
  });
  body.addEventListener("click", (event) => {
    const target = event.target.closest("[data-row]");
    if (target) moveTo(Number(target.dataset.row), Number(target.dataset.column));
  });
  grid.addEventListener("scroll", scheduleDraw, { passive: true });
  new ResizeObserver(scheduleDraw).observe(grid);

  return {
    /** Shows a result store for statement `id`. */
    show(nextStore, id) {
      store = nextStore;
      statementId = id;
      active = { row: 0, column: 0 };
      inflight.clear();
      grid.setAttribute("aria-colcount", String(store.columns.length + 1));
      grid.scrollTop = 0;
      renderHead();
      draw();
    },
    copyCell, copyRow,
  };
}
