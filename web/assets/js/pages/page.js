/** Pieces every page uses: the document title and the page frame. */
import { h } from "../dom.js";

/** Sets the window title: "part · part · FireFly". */
export function setTitle(...parts) {
  document.title = [...parts, "FireFly"].join(" · ");
}

/** A page: a heading (the page's h1) followed by its content, replacing what `main` showed. */
export function showPage(main, heading, ...content) {
  const page = h("div", { class: "ff-page" }, h("h1", { class: "h4 mb-3" }, heading), ...content);
  main.replaceChildren(page);
  return page;
}
