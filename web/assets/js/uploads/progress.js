/**
 * What an upload's progress says (pure, tested without a page): the sending rate over the last
 * seconds and the time left, the words and percentage of each phase, which actions a job offers,
 * and the server's upload states as the recent list shows them.
 */
import { formatBytes, formatRate, formatTimeLeft } from "../format.js";

/**
 * Bytes per second over a sliding window of (time, bytes sent) samples. A sample below the last
 * one (the server's offset went back after a HEAD) starts the window afresh.
 */
export function createRateMeter({ windowMs = 5000, minSpanMs = 500 } = {}) {
  let samples = [];
  return {
    add(bytes, at) {
      if (samples.length && bytes < samples.at(-1).bytes) samples = [];
      samples.push({ bytes, at });
      while (samples.length > 2 && samples[1].at <= at - windowMs) samples.shift();
    },
    /** Bytes per second, or null until the window spans `minSpanMs`. */
    rate() {
      if (samples.length < 2) return null;
      const first = samples[0], last = samples.at(-1);
      const span = last.at - first.at;
      return span >= minSpanMs ? ((last.bytes - first.bytes) * 1000) / span : null;
    },
    reset() { samples = []; },
  };
}

/** Seconds until `remaining` bytes are sent at `rate` bytes/s, or null when unknown. */
export const secondsLeft = (remaining, rate) => (rate > 0 && remaining >= 0 ? remaining / rate : null);

/** Whole percent of `done` in `total` (an empty total counts as done). */
export const percent = (done, total) => (total > 0 ? Math.min(100, Math.floor((done * 100) / total)) : 100);

/**
 * The progress of a job: `{ value, text }` for its progress bar (the current phase's percentage
 * and words for screen readers) and `detail`, the visible line. Job fields: `phase` (queued |
 * sending | paused | forwarding | done | failed | cancelled), `method` (put | tus), `size`, `sent`,
 * `forwarded`, `rate`, `error`, `stage` (send | forward).
 */
export function jobProgress(job) {
  const sent = percent(job.sent, job.size);
  switch (job.phase) {
    case "queued": return { value: 0, text: "Waiting to start", detail: "Waiting for the uploads before it" };
    case "sending": {
      const facts = [`${sent}%`, `${formatBytes(job.sent)} of ${formatBytes(job.size)}`, formatRate(job.rate),
        formatTimeLeft(secondsLeft(job.size - job.sent, job.rate))].filter(Boolean);
      return { value: sent, text: `Sending to FireFly: ${sent}%`, detail: `Sending to FireFly · ${facts.join(" · ")}` };
    }
    case "paused": return { value: sent, text: `Paused at ${sent}%`, detail: `Paused at ${sent}% (${formatBytes(job.sent)} of ${formatBytes(job.size)}); Resume continues from there, even after a reload` };
    case "forwarding": {
      if (job.method === "put") return { value: 100, text: "Writing to Databricks", detail: "Sent; FireFly is writing it to Databricks…" };
      const forwarded = percent(job.forwarded, job.size);
      return { value: forwarded, text: `Forwarding to Databricks: ${forwarded}%`,
        detail: `Forwarding to Databricks · ${forwarded}% · ${formatBytes(job.forwarded)} of ${formatBytes(job.size)}` };
    }
    case "done": return { value: 100, text: "Uploaded", detail: `Uploaded · ${formatBytes(job.size)}` };
    case "cancelled": return { value: job.method === "tus" ? sent : 0, text: "Cancelled", detail: "Cancelled" };
    default: {
      const where = job.stage === "forward" ? "Forwarding to Databricks failed" : "Upload failed";
      return { value: job.stage === "forward" ? percent(job.forwarded, job.size) : sent, text: where, detail: where };
    }
  }
}

/**
 * The buttons a job offers, in order: Pause/Resume for resumable sends, Cancel while it can be
 * stopped, Retry and Replace after a failure, Dismiss once it is over.
 */
export function jobActions(job) {
  switch (job.phase) {
    case "queued": return ["Cancel"];
    case "sending": return job.method === "tus" ? ["Pause", "Cancel"] : ["Cancel"];
    case "paused": return ["Resume", "Cancel"];
    case "forwarding": return [];
    case "failed": {
      const actions = ["Retry"];
      if (job.exists) actions.push("Replace");
      actions.push(job.method === "tus" && job.url ? "Cancel" : "Dismiss");
      return actions;
    }
    default: return ["Dismiss"];
  }
}

const SERVER_STATES = {
  receiving: ["Receiving", "text-bg-info"],
  forwarding: ["Forwarding to Databricks", "text-bg-info"],
  done: ["Done", "text-bg-success"],
  failed: ["Failed", "text-bg-danger"],
  cancelled: ["Cancelled", "text-bg-secondary"],
  expired: ["Expired", "text-bg-secondary"],
};

/** An upload of `GET /api/uploads` as the recent list shows it: `{ label, badge, progress }`. */
export function serverUploadText(upload) {
  const [label, badge] = SERVER_STATES[upload.state] ?? [upload.state, "text-bg-light"];
  let progress = "";
  if (upload.state === "receiving") progress = `${formatBytes(upload.received_bytes)} of ${formatBytes(upload.size)} received`;
  if (upload.state === "forwarding") progress = `${percent(upload.forwarded_bytes, upload.size)}% forwarded`;
  return { label, badge, progress };
}

/** States in which the server still moves an upload on by itself (the list is polled meanwhile). */
export const isServerBusy = (upload) => upload.state === "forwarding";

/** The file name at the end of a target path. */
export const baseName = (path) => String(path).split("/").filter(Boolean).pop() ?? String(path);
