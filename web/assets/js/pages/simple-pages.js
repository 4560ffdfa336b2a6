/** The pages with little to do: not found, and the sections that come in a later release. */
import { h, setTitle, showPage } from "../dom.js";

const COMING = {
  uploads: ["Uploads", "Uploading files to Unity Catalog volumes from the browser is coming soon. Until then, ask your administrator or use the API (PUT /api/files)."],
  apps: ["Apps", "Opening your organization's Databricks Apps from FireFly is coming soon."],
};

/** Mounts the page for `uploads`, `apps` or `not-found`. */
export function mount(main, { route }) {
  if (COMING[route.name]) {
    const [title, text] = COMING[route.name];
    setTitle(title);
    showPage(main, title, h("p", {}, text), h("p", {}, h("a", { href: "/catalog" }, "Back to the catalog")));
    return;
  }
  setTitle("Not found");
  showPage(main, "Page not found",
    h("p", {}, "There is no page at ", h("code", {}, location.pathname), ". The link may be mistyped or out of date."),
    h("p", {}, "Try the ", h("a", { href: "/catalog" }, "catalog"), ", the ", h("a", { href: "/sql" }, "SQL editor"),
      " or your ", h("a", { href: "/history" }, "query history"), "."));
}
