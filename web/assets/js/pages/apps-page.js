/** Apps (/apps): the Databricks Apps the organization may use, each a link to its page (/apps/{name}). */
import { fill, h, setTitle, showPage } from "../dom.js";
import { formatTime } from "../format.js";
import { reportError } from "../notify.js";
import { appPath } from "../router.js";
import { appState, appsListPath, appsPage, lastDeployed } from "../apps/app-info.js";

function appItem(app) {
  const state = appState(app);
  const deployed = lastDeployed(app);
  return h("li", { class: "list-group-item" },
    h("div", { class: "d-flex flex-wrap align-items-baseline gap-2" },
      h("a", { href: appPath(app.name), class: "fw-semibold" }, app.name),
      h("span", { class: `badge ${state.badge}` }, state.label),
      deployed && h("span", { class: "small text-muted ms-auto" }, `Last deployed ${formatTime(deployed)}`)),
    app.description ? h("div", { class: "small" }, app.description) : null,
    !state.running && state.message ? h("div", { class: "small text-muted" }, state.message) : null);
}

/** Mounts `/apps`. */
export function mount(main, { client }) {
  setTitle("Apps");
  const list = h("ul", { class: "list-group ff-list mb-3", "aria-label": "Apps" });
  const footer = h("div", {});
  showPage(main, "Apps",
    h("p", { class: "ff-narrow" }, "The Databricks Apps your organization's service principal may use. Open one to use it here; FireFly signs you in to it."),
    list, footer);
  let generation = 0;

  async function load(pageToken = null) {
    const mine = generation;
    fill(footer, h("p", { class: "text-muted" }, "Loading…"));
    try {
      const { apps, nextPageToken } = appsPage(await client.get(appsListPath(pageToken)));
      if (mine !== generation) return;
      list.append(...apps.map(appItem));
      list.hidden = list.children.length === 0;
      fill(footer, nextPageToken
        ? h("button", { type: "button", class: "btn btn-sm btn-outline-secondary", onclick: () => load(nextPageToken) }, "Load more")
        : list.children.length === 0
          ? h("p", { class: "text-muted" }, "No apps are shared with your organization's service principal — ask your administrator.")
          : null);
    } catch (error) {
      if (mine === generation) reportError(error, { target: footer, title: "Could not list the apps", retry: () => load(pageToken) });
    }
  }

  load();
  return () => { generation += 1; };
}
