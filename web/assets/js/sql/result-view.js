/** The area under the editor: the outcome of the tab's last run — rows, an error, or a note. */
import { fill, h } from "../dom.js";
import { formatCount, formatDuration } from "../format.js";
import { showToast, reportError } from "../notify.js";
import { createResultGrid } from "./result-grid.js";
import { statementError } from "./statement-error.js";

const NOTES = {
  CANCELED: "The statement was cancelled.",
  CLOSED: "The result is no longer available: Databricks keeps results for one hour. Run the statement again.",
};

/** The "SQLSTATE … · code · line, position" line and the button that shows the position. */
function failureDetails(failure, onShowPosition) {
  const facts = [failure.sqlState && `SQLSTATE ${failure.sqlState}`, failure.code,
    failure.line !== null && `line ${failure.line}, position ${failure.column}`].filter(Boolean);
  return h("div", { class: "small mt-2" }, facts.join(" · "),
    failure.line !== null && h("button", { type: "button", class: "btn btn-sm btn-danger ms-2", onclick: onShowPosition }, "Show in editor"));
}

/** Creates the view in `container`; `onShowPosition(failure)` selects the error's place in the editor. */
export function createResultView(container, client, { onShowPosition }) {
  const summary = h("div", { class: "ff-result-summary" });
  const message = h("div", { class: "ff-result-message" });
  const gridHost = h("div", { class: "ff-grid-host", hidden: true });
  let shown = null;
  const grid = createResultGrid(gridHost, client, { onChange: () => shown && renderSummary(shown) });
  container.replaceChildren(summary, message, gridHost);

  const copyButton = (label, copy) => {
    const button = h("button", { type: "button", class: "btn btn-sm btn-outline-secondary" }, label);
    button.addEventListener("click", async () => showToast({ title: label, message: (await copy()) ? "Copied to the clipboard." : "Select a loaded cell first." }));
    return button;
  };

  function renderSummary(run) {
    const { store, answer } = run;
    const sort = store.sortState();
    const loaded = store.loadedRowCount();
    fill(summary,
      h("span", { class: "me-3" }, `${formatCount(store.totalRows)} rows · ${formatDuration(run.finishedAt - run.startedAt)}`),
      answer.manifest?.truncated ? h("span", { class: "badge text-bg-warning me-3" }, "truncated") : null,
      sort && loaded < store.totalRows ? h("span", { class: "me-3 small text-muted" }, `Sorted the ${formatCount(loaded)} loaded rows`) : null,
      h("a", { class: "btn btn-sm btn-outline-primary me-2", href: `/api/sql/statements/${encodeURIComponent(answer.statement_id)}/result.csv`, download: "" }, "Download CSV"),
      copyButton("Copy cell", grid.copyCell), " ", copyButton("Copy row", grid.copyRow));
  }

  function showRows(run) {
    const columns = run.store.columns.length;
    gridHost.hidden = columns === 0;
    if (columns === 0) return message.replaceChildren(h("p", { class: "text-muted" }, "The statement finished; it returns no rows."));
    if (shown !== run) grid.show(run.store, run.answer.statement_id);
    renderSummary(run);
  }

  function showFailure(run) {
    const failure = statementError(run.answer.status);
    message.replaceChildren(h("div", { class: "alert alert-danger", role: "alert" },
      h("div", { class: "fw-semibold" }, "Databricks could not run the statement"),
      h("pre", { class: "ff-error-text mb-0" }, failure.message),
      failureDetails(failure, () => onShowPosition(run, failure))));
  }

  /** Shows `run` (see run-status.js for its shape): a hint before the first run, nothing while running. */
  function render(run) {
    summary.replaceChildren();
    message.replaceChildren();
    gridHost.hidden = true;
    if (run?.phase === "error") reportError(run.error, { target: message, title: "The statement was not run" });
    else if (run?.phase === "done") {
      const state = run.answer.status?.state;
      if (state === "SUCCEEDED") showRows(run);
      else if (state === "FAILED") showFailure(run);
      else message.replaceChildren(h("p", { class: "text-muted" }, NOTES[state] ?? `The statement ended ${state}.`));
    } else if (!run || run.phase === "idle") message.replaceChildren(h("p", { class: "text-muted ff-hint" },
      "Write a statement and press Ctrl+Enter (⌘↵ on a Mac). Completion offers keywords, catalogs, schemas, tables and columns as you type; Ctrl+Space asks for it."));
    shown = run?.phase === "done" ? run : null;
  }

  return { render };
}
