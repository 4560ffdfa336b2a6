/**
 * How errors and notices reach the user: inline alerts for permanent errors (what happened, what to
 * try, the request id to copy) and toasts at the bottom right, announced politely, for transient ones.
 */
import { closeButton, copyText, h } from "./dom.js";

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

const HIDE_AFTER_MS = 8000;
let region = null;

/** The live region that holds the toasts, created on first use. */
function toastRegion() {
  if (!region) {
    region = h("aside", { class: "toast-container position-fixed bottom-0 end-0 p-3", "aria-label": "Notifications", "aria-live": "polite" });
    document.body.append(region);
  }
  return region;
}

/** Removes a toast unless the pointer or the keyboard is on it (then it waits for the close button). */
function scheduleHide(toast) {
  setTimeout(() => {
    if (toast.matches(":hover") || toast.contains(document.activeElement)) return;
    toast.remove();
  }, HIDE_AFTER_MS);
}

/** Shows a toast: `variant` is "danger" for failures, "success" or "info" otherwise. */
export function showToast({ title, message, requestId = null, variant = "info" }) {
  const close = closeButton("Close the message", "ms-auto");
  const toast = h("div", { class: `toast show ff-toast ff-toast-${variant}`, role: variant === "danger" ? "alert" : "status" },
    h("div", { class: "toast-header" }, h("strong", { class: "me-auto" }, title), close),
    h("div", { class: "toast-body" }, message, requestIdLine(requestId)));
  close.addEventListener("click", () => toast.remove());
  toastRegion().append(toast);
  scheduleHide(toast);
  return toast;
}

/** The short placeholder left in place of content whose load failed for a passing reason. */
function retryNotice(retry) {
  return h("p", { class: "text-muted small mb-2" }, "Not loaded. ",
    retry && h("button", { type: "button", class: "btn btn-link btn-sm p-0 align-baseline", onclick: retry }, "Try again"));
}

/**
 * Shows an error where it belongs: transient ones (network, 5xx, 429) as a toast, leaving a "try
 * again" notice in `target`; permanent ones inline in `target` when given. A 401 shows nothing:
 * the page is already on its way to the login.
 */
export function reportError(error, { target = null, title = "Something went wrong", retry = null } = {}) {
  if (error?.status === 401) return;
  if (target && !error?.transient) {
    target.replaceChildren(errorAlert(error, { title, retry }));
    return;
  }
  if (target) target.replaceChildren(retryNotice(retry));
  showToast({ title, message: error?.message ?? String(error), requestId: error?.requestId, variant: "danger" });
}
