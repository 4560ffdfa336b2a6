/**
 * One upload of this session as a list item: name and target, a progress bar per phase (named
 * "<file> upload" for assistive technology), the phase's words, the error with its advice and
 * request id, and the job's buttons. The item is made once and updated in place, so a progress
 * event never moves the keyboard focus.
 */
import { fill, h } from "../dom.js";
import { formatBytes } from "../format.js";
import { requestIdLine } from "../notify.js";
import { uploadAdvice } from "./advice.js";
import { jobActions, jobProgress } from "./progress.js";

const BUTTON_CLASS = {
  Pause: "btn-outline-secondary", Resume: "btn-primary", Cancel: "btn-outline-danger", Retry: "btn-primary",
  Replace: "btn-warning", Dismiss: "btn-outline-secondary",
};

/** A button whose visible word is the action and whose accessible name adds the file ("Pause data.csv"). */
function actionButton(action, name, onAction) {
  return h("button", { type: "button", class: `btn btn-sm ${BUTTON_CLASS[action]}`, "data-action": action, onclick: () => onAction(action) },
    action, h("span", { class: "visually-hidden" }, ` ${name}`));
}

/** The list item of a job; `onAction(jobId, action)` runs its buttons. */
export function createJobItem(job, onAction) {
  const bar = h("div", { class: "progress-bar", role: "progressbar", "aria-label": `${job.name} upload`, "aria-valuemin": "0", "aria-valuemax": "100" });
  const parts = {
    bar,
    detail: h("div", { class: "small ff-upload-detail" }),
    error: h("div", { class: "small text-danger ff-upload-error" }),
    actions: h("div", { class: "d-flex flex-wrap gap-2 mt-2" }),
    shown: "",
  };
  const item = h("li", { class: "list-group-item ff-upload-item" },
    h("div", { class: "d-flex flex-wrap align-items-baseline gap-2 mb-1" },
      h("span", { class: "fw-semibold ff-wrap ff-upload-name", tabindex: "-1" }, job.name),
      h("span", { class: "small text-muted ff-wrap" }, "to ", h("code", {}, job.folder)),
      h("span", { class: "small text-muted ms-auto" }, formatBytes(job.size), job.method === "tus" ? " · resumable" : "")),
    h("div", { class: "progress ff-upload-progress" }, bar),
    parts.detail, parts.error, parts.actions);
  item.ffParts = parts;
  item.ffOnAction = (action) => onAction(job.id, action);
  return item;
}

/** Brings a job's item up to date (cheap: called for every progress event). */
export function updateJobItem(item, job) {
  const { bar, detail, error, actions } = item.ffParts;
  const progress = jobProgress(job);
  bar.style.width = `${progress.value}%`;
  bar.setAttribute("aria-valuenow", String(progress.value));
  bar.setAttribute("aria-valuetext", progress.text);
  bar.className = `progress-bar${job.phase === "failed" ? " bg-danger" : job.phase === "done" ? " bg-success" : ""}${
    job.phase === "forwarding" && job.method === "put" ? " progress-bar-striped progress-bar-animated" : ""}`;
  detail.textContent = progress.detail;

  const errorKey = job.phase === "failed" ? `${job.error?.code}|${job.error?.message}` : "";
  if (error.dataset.shown !== errorKey) {
    error.dataset.shown = errorKey;
    if (!errorKey) fill(error);
    else {
      const advice = uploadAdvice(job.error);
      fill(error, h("span", {}, advice.message), advice.hint && h("span", {}, " ", advice.hint), requestIdLine(job.error?.requestId));
    }
  }

  const wanted = jobActions(job);
  if (item.ffParts.shown !== wanted.join()) {
    const hadFocus = actions.contains(document.activeElement);
    item.ffParts.shown = wanted.join();
    fill(actions, wanted.map((action) => actionButton(action, job.name, item.ffOnAction)));
    if (hadFocus) (actions.querySelector("button") ?? item.querySelector(".ff-upload-name")).focus();
  }
}
