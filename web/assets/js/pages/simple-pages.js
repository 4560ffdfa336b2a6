/** The page for paths the application does not know. */
import { h, setTitle, showPage } from "../dom.js";

/** Mounts `not-found`. */
export function mount(main) {
  setTitle("Not found");
  showPage(main, "Page not found",
    h("p", {}, "There is no page at ", h("code", {}, location.pathname), ". The link may be mistyped or out of date."),
    h("p", {}, "Try the ", h("a", { href: "/catalog" }, "catalog"), ", the ", h("a", { href: "/sql" }, "SQL editor"),
      " or your ", h("a", { href: "/history" }, "query history"), "."));
}
