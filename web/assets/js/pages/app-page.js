/**
 * One app (/apps/{name}[?full=1]) in a sandboxed frame on its own origin, through the app proxy:
 * a single-use embed URL minted on open and again when needed (see apps/embed-session.js), a
 * full-window mode (Escape leaves it; kept in the URL), "Open in new tab" with a fresh URL, and
 * Close. The embed URL holds a token: it goes into the frame's src and nowhere else (never logged).
 */
import { fill, h, setTitle } from "../dom.js";
import { errorAlert, reportError, showToast } from "../notify.js";
import { appPath } from "../router.js";
import { appState, appsListPath, appsPage, embedPath } from "../apps/app-info.js";
import { createEmbedSession, isExpiredMessage } from "../apps/embed-session.js";

const SANDBOX = "allow-scripts allow-same-origin allow-forms allow-popups allow-downloads";

/**
 * Opens the app in a new tab with a URL of its own (URLs are single-use). The tab is opened at
 * once, in the click (so no popup blocker intervenes), cut off from this page, then sent to the URL.
 */
async function openInNewTab(client, name) {
  const tab = window.open("", "_blank");
  if (!tab) {
    showToast({ title: "The new tab was blocked", message: "Allow pop-ups for FireFly, then try again.", variant: "danger" });
    return;
  }
  tab.opener = null;
  try {
    const embed = await client.send("POST", embedPath(name));
    tab.location.replace(embed.url);
  } catch (error) {
    tab.close();
    reportError(error, { title: `Could not open ${name} in a new tab` });
  }
}

/** A warning above the frame when the app is not running (it may not answer). */
async function stateNotice(client, name, target) {
  try {
    const app = appsPage(await client.get(appsListPath())).apps.find((item) => item.name === name);
    const state = app && appState(app);
    if (state && !state.running) {
      fill(target, h("div", { class: "alert alert-warning py-2 mb-2", role: "status" },
        `${name} is ${state.label.toLowerCase()}`, state.message ? ` (${state.message})` : "", "; it may not answer."));
    }
  } catch {
    /* only a hint: the frame shows what the app answers */
  }
}

/** Mounts `/apps/{name}`. */
export function mount(main, { route, client, query }) {
  const name = route.params.app;
  setTitle(name, "Apps");
  const frame = h("iframe", { class: "ff-app-frame", title: `${name} app`, sandbox: SANDBOX, referrerpolicy: "no-referrer" });
  const status = h("div", { class: "ff-app-status" }, h("p", { class: "text-muted m-0" }, `Opening ${name}…`));
  const notice = h("div", {});
  const fullButton = h("button", { type: "button", class: "btn btn-sm btn-outline-secondary", "aria-pressed": "false" }, "Full window");
  const newTab = h("button", { type: "button", class: "btn btn-sm btn-outline-secondary" }, "Open in new tab");
  const close = h("a", { class: "btn btn-sm btn-outline-secondary", href: appPath(null) }, "Close");
  const toolbar = h("div", { class: "ff-app-toolbar" },
    h("a", { href: appPath(null) }, "Apps"), h("span", { "aria-hidden": "true" }, "›"),
    h("h1", { class: "h6 m-0" }, name),
    h("span", { class: "ms-auto d-flex gap-2" }, fullButton, newTab, close));
  const shell = h("div", { class: "ff-app" }, toolbar, notice, status, frame);
  main.replaceChildren(shell);

  /** Full window on or off (the button's name stays; aria-pressed tells its state). */
  function setFull(full, { keepUrl = false } = {}) {
    shell.classList.toggle("ff-app-full", full);
    fullButton.setAttribute("aria-pressed", String(full));
    fullButton.classList.toggle("active", full);
    if (!keepUrl) history.replaceState(null, "", full ? `${appPath(name)}?full=1` : appPath(name));
  }

  const session = createEmbedSession({
    mint: () => client.send("POST", embedPath(name)),
    onUrl: (embed) => {
      fill(status);
      frame.hidden = false;
      frame.src = embed.url;
    },
    onError: (error) => {
      frame.hidden = true;
      fill(status, errorAlert(error, { title: `Could not open ${name}`, retry: () => {
        fill(status, h("p", { class: "text-muted m-0" }, `Opening ${name}…`));
        session.retry();
      } }));
    },
    now: () => Date.now(),
    setTimeout: (...args) => setTimeout(...args),
    clearTimeout: (id) => clearTimeout(id),
  });

  const onMessage = (event) => {
    if (isExpiredMessage(event, session.origin(), frame.contentWindow)) session.expired();
  };
  const onKey = (event) => {
    if (event.key === "Escape" && shell.classList.contains("ff-app-full")) {
      setFull(false);
      fullButton.focus();
    }
  };
  frame.addEventListener("load", () => {
    if (frame.getAttribute("src")) session.frameLoaded();
  });
  fullButton.addEventListener("click", () => setFull(!shell.classList.contains("ff-app-full")));
  newTab.addEventListener("click", () => openInNewTab(client, name));
  addEventListener("message", onMessage);
  document.addEventListener("keydown", onKey);

  setFull(query.get("full") === "1", { keepUrl: true });
  frame.hidden = true;
  stateNotice(client, name, notice);
  session.start();

  return () => {
    session.stop();
    removeEventListener("message", onMessage);
    document.removeEventListener("keydown", onKey);
    frame.removeAttribute("src");
  };
}
