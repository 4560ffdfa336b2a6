/** Transient messages at the bottom right, announced politely to screen readers. */
import { h } from "./dom.js";
import { errorAlert, requestIdLine } from "./error-view.js";

const HIDE_AFTER_MS = 8000;
let region = null;

/** The live region that holds the toasts, created on first use. */
function toastRegion() {
  if (!region) {
    region = h("div", { class: "toast-container position-fixed bottom-0 end-0 p-3", "aria-live": "polite", "aria-atomic": "false" });
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
  const close = h("button", { type: "button", class: "btn-close ms-auto", "aria-label": "Close" });
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
