/** How an API error reads on screen: what happened, what to try, and the request id to copy. */
import { copyText, h } from "./dom.js";

/** Advice for a status, so every error says what to try next. */
function advice(error) {
  if (error.code === "workspace_not_configured") return "";
  if (error.status === 0) return "Check your connection, then try again.";
  if (error.status === 403) return "Your organization's service principal may lack a grant; ask your administrator.";
  if (error.status === 404) return "It may have been removed or renamed; reload the list.";
  if (error.status === 429 || error.status >= 500) return "Databricks or FireFly is busy; try again in a moment.";
  return "";
}

/** A small "request id … Copy" line, or null when the error has none. */
export function requestIdLine(requestId) {
  if (!requestId) return null;
  const button = h("button", { type: "button", class: "btn btn-link btn-sm p-0 ms-1 align-baseline" }, "Copy");
  button.addEventListener("click", async () => {
    button.textContent = (await copyText(requestId)) ? "Copied" : "Copy failed";
  });
  return h("div", { class: "small text-muted mt-1" }, "Request id ", h("code", {}, requestId), button);
}

/** An inline alert for a permanent error, with an optional "Try again" action. */
export function errorAlert(error, { title = "Something went wrong", retry = null } = {}) {
  return h("div", { class: "alert alert-danger mb-2", role: "alert" },
    h("div", { class: "fw-semibold" }, title),
    h("div", {}, error.message, " ", advice(error)),
    requestIdLine(error.requestId),
    retry && h("button", { type: "button", class: "btn btn-sm btn-outline-danger mt-2", onclick: retry }, "Try again"));
}
