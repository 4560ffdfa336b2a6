/**
 * The lists under the upload form: remembered uploads waiting for their file (after a reload or a
 * lost connection), and the user's recent uploads from the server with their state, size, target
 * and error. Rows are keyed and updated in place, so the second-by-second polling leaves the
 * keyboard focus where it was.
 */
import { fill, h, syncKeyed } from "../dom.js";
import { formatBytes, formatTime } from "../format.js";
import { baseName, serverUploadText } from "./progress.js";

/** A button with a visible word and the file in its accessible name ("Discard data.csv"). */
const namedButton = (word, name, className, onclick) =>
  h("button", { type: "button", class: `btn btn-sm ${className}`, onclick }, word, h("span", { class: "visually-hidden" }, ` ${name}`));

/** Fills `list` with the pending uploads; `onPick(entry)` asks for the file, `onDiscard(entry)` drops it. */
export function renderPending(list, entries, { onPick, onDiscard }) {
  syncKeyed(list, entries, (entry) => entry.fingerprint, () => h("li", { class: "list-group-item" }), (item, entry) => {
    const key = JSON.stringify([entry.server?.state, entry.server?.received_bytes]);
    if (item.dataset.shown === key) return;
    item.dataset.shown = key;
    const received = entry.server ? `${formatBytes(entry.server.received_bytes)} of ${formatBytes(entry.size)} received` : formatBytes(entry.size);
    fill(item,
      h("div", { class: "d-flex flex-wrap align-items-baseline gap-2" },
        h("span", { class: "fw-semibold ff-wrap" }, entry.name),
        h("span", { class: "small text-muted ff-wrap" }, "to ", h("code", {}, entry.folder)),
        h("span", { class: "small text-muted ms-auto" }, received)),
      h("div", { class: "d-flex flex-wrap gap-2 mt-2" },
        namedButton("Pick the file again", entry.name, "btn-primary", () => onPick(entry)),
        namedButton("Discard", entry.name, "btn-outline-danger", () => onDiscard(entry))));
  });
}

/** The buttons of a recent upload that no job on this page stands for. */
function recentActions(upload) {
  const actions = [];
  if (upload.state === "failed" && upload.received_bytes === upload.size) actions.push("Retry");
  if (upload.state === "receiving" || upload.state === "failed") actions.push("Discard");
  return actions;
}

/**
 * Fills `body` (a tbody) with the recent uploads; uploads listed in `onPage` (ids of this page's
 * jobs) have their buttons in the session list instead. `onAction(upload, action)` runs a button.
 */
export function renderRecent(body, uploads, { onPage, onAction }) {
  syncKeyed(body, uploads, (upload) => upload.id, () => h("tr", {}), (row, upload) => {
    const actions = onPage.has(upload.id) ? [] : recentActions(upload);
    const key = JSON.stringify([upload.state, upload.received_bytes, upload.forwarded_bytes, upload.error, actions]);
    if (row.dataset.shown === key) return;
    const hadFocus = row.contains(document.activeElement);
    row.dataset.shown = key;
    const { label, badge, progress } = serverUploadText(upload);
    const name = baseName(upload.target);
    fill(row,
      h("td", {}, h("span", { class: "ff-wrap" }, name), h("div", { class: "small text-muted ff-wrap" }, upload.target)),
      h("td", { class: "text-nowrap" }, formatBytes(upload.size)),
      h("td", {}, h("span", { class: `badge ${badge}` }, label), progress && h("div", { class: "small text-muted" }, progress)),
      h("td", { class: "small text-nowrap" }, formatTime(upload.created_at)),
      h("td", { class: "small text-danger ff-wrap" }, upload.error ?? ""),
      h("td", { class: "text-nowrap" }, actions.map((action) =>
        namedButton(action, name, action === "Retry" ? "btn-outline-primary me-1" : "btn-outline-danger", () => onAction(upload, action)))));
    if (hadFocus) (row.querySelector("button") ?? row.closest("table"))?.focus();
  });
}

/** The empty recent-uploads table, with its caption and column headers. */
export function recentTable() {
  const body = h("tbody", {});
  const table = h("table", { class: "table table-sm align-middle ff-recent", tabindex: "-1" },
    h("caption", { class: "visually-hidden" }, "Your recent uploads, newest first"),
    h("thead", {}, h("tr", {}, ["File", "Size", "State", "Started", "Error", "Actions"].map((title) =>
      h("th", { scope: "col" }, title === "Actions" ? h("span", { class: "visually-hidden" }, title) : title)))),
    body);
  return { table, body };
}
