/** Starts the application: the signed-in user, the data layer, the header, the router. */
import { createApp } from "./app.js";
import { createDataClient } from "./data.js";
import { h } from "./dom.js";
import { loginPath, startRouter } from "./router.js";
import { loadMe, renderUserMenu } from "./shell.js";
import { errorAlert } from "./notify.js";

const client = createDataClient({
  fetch: (...args) => fetch(...args),
  setTimeout: (...args) => setTimeout(...args),
  onUnauthorized: () => location.assign(loginPath(location)),
});
addEventListener("focus", () => client.refetchStale());

const main = document.getElementById("main");

/** The page shown when the account belongs to no organization. */
function noOrganization() {
  main.replaceChildren(h("div", { class: "ff-page ff-narrow" },
    h("h1", { class: "h3" }, "No organization"),
    h("p", {}, "You are signed in, but your account does not belong to any organization on FireFly, so there is no Databricks workspace to show."),
    h("p", {}, "Ask your administrator to add your email address, email domain or group to an organization, then sign in again.")));
}

async function start() {
  let me;
  try {
    me = await loadMe(client);
  } catch (error) {
    if (error.status === 401) return;
    if (error.code === "no_organization") return noOrganization();
    main.replaceChildren(h("div", { class: "ff-page" }, errorAlert(error, { title: "FireFly could not load your account", retry: () => location.reload() })));
    return;
  }
  if (!me.organization) return noOrganization();
  renderUserMenu(document.getElementById("user-menu"), me, client);
  const app = createApp({ client, me, main, explorerContainer: document.getElementById("explorer"), nav: document.getElementById("nav") });
  startRouter(app.show);
}

start();
