/** The editor's tab strip: each tab is a link to its URL, with close; double-click or F2 renames. */
import { closeButton, h } from "../dom.js";
import { sqlPath } from "../router.js";

/** Replaces a tab's link with a text box until Enter or leaving it (Escape keeps the old name). */
function startRename(item, tab, onRename) {
  const input = h("input", { type: "text", class: "form-control form-control-sm ff-tab-rename", value: tab.title, "aria-label": "Tab name" });
  let done = false;
  const finish = (keep) => {
    if (done) return;
    done = true;
    onRename(tab.id, keep ? input.value : tab.title);
  };
  input.addEventListener("keydown", (event) => {
    if (event.key === "Enter") finish(true);
    if (event.key === "Escape") {
      event.stopPropagation();
      finish(false);
    }
  });
  input.addEventListener("blur", () => finish(true));
  item.replaceChildren(input);
  input.select();
}

function tabItem(tab, isActive, { onClose, onRename }) {
  const link = h("a", { href: sqlPath(tab.id), class: `ff-tab${isActive ? " active" : ""}`, "aria-current": isActive ? "page" : null,
    title: "Double-click or press F2 to rename" }, tab.title);
  const close = closeButton(`Close ${tab.title}`);
  const item = h("li", { class: "ff-tab-item" }, link, close);
  link.addEventListener("dblclick", (event) => {
    event.preventDefault();
    startRename(item, tab, onRename);
  });
  link.addEventListener("keydown", (event) => {
    if (event.key === "F2") startRename(item, tab, onRename);
  });
  close.addEventListener("click", () => onClose(tab.id));
  return item;
}

/** Draws the tabs of `store` into `container`. Callbacks: `onClose(id)`, `onAdd()`, `onRename(id, title)`. */
export function renderTabBar(container, { tabs, active, onClose, onAdd, onRename }) {
  const add = h("button", { type: "button", class: "btn btn-sm btn-outline-secondary ff-tab-add", "aria-label": "New query tab" }, "+");
  add.addEventListener("click", onAdd);
  container.replaceChildren(h("nav", { "aria-label": "Query tabs", class: "ff-tabs" },
    h("ul", { class: "ff-tab-list" }, tabs.map((tab) => tabItem(tab, tab.id === active, { onClose, onRename }))), add));
}
