/**
 * The uploads of one page load, without any DOM: a queue (two files send at once), the actions on
 * each job, the user's recent uploads (`GET /api/uploads`, polled every second while anything
 * moves, idle otherwise), and the remembered uploads still waiting for their file after a reload.
 * It outlives the uploads page, so uploads go on while the user looks at other pages.
 */
import { isServerBusy } from "./progress.js";
import { fileNameProblem } from "./target.js";
import { TUS_VERSION } from "./tus-client.js";
import { UploadJob } from "./upload-job.js";

export const CONCURRENT_SENDS = 2;
export const POLL_MS = 1000;
const LIST_PATH = "/api/uploads";
const FINISHED = new Set(["done", "cancelled", "expired", "failed"]);

/** `deps`: `{ client, store, XHR, now, sleep, setTimeout }` (the data layer, a resume store, the browser's rest). */
export function createUploadManager(deps) {
  const { client, store, setTimeout } = deps;
  const jobs = [], listeners = new Set();
  let recent = null, recentError = null, timer = null;

  const notify = () => listeners.forEach((listener) => listener());
  const jobDeps = { ...deps, onChange: () => { pump(); schedulePoll(); notify(); } };

  /** Starts queued jobs while fewer than CONCURRENT_SENDS are sending. */
  function pump() {
    for (const job of jobs) {
      if (jobs.filter((j) => j.phase === "sending").length >= CONCURRENT_SENDS) return;
      if (job.phase === "queued") job.send();
    }
  }

  const needsPoll = () => jobs.some((job) => job.phase === "sending" || job.phase === "forwarding") || (recent ?? []).some(isServerBusy);

  function schedulePoll() {
    if (timer !== null || !needsPoll()) return;
    timer = setTimeout(async () => {
      await refresh();
      timer = null;
      schedulePoll();
    }, POLL_MS);
  }

  /** Reads the recent uploads, passes their states to the jobs being forwarded, forgets finished ones. */
  async function refresh() {
    try {
      const body = await client.get(LIST_PATH, { cache: false });
      recent = body?.uploads ?? [];
      recentError = null;
    } catch (error) {
      recentError = error;
      return notify();
    }
    const byId = new Map(recent.map((upload) => [upload.id, upload]));
    for (const job of jobs.filter((j) => j.phase === "forwarding" && j.method === "tus" && j.uploadId)) {
      const upload = byId.get(job.uploadId) ?? await client.get(`${LIST_PATH}/${encodeURIComponent(job.uploadId)}`, { cache: false }).catch(() => null);
      if (upload) job.setServerState(upload);
    }
    for (const entry of store.list()) if (FINISHED.has(byId.get(entry.id)?.state)) store.removeUpload(entry.id);
    notify();
  }

  const jobOf = (id) => jobs.find((job) => job.id === id);

  return {
    jobs: () => jobs,
    recent: () => recent,
    recentError: () => recentError,
    /** Uploads sending or waiting to: leaving the page would stop them. */
    busy: () => jobs.some((job) => job.phase === "sending" || job.phase === "queued"),

    /**
     * Queues `files` for a parsed target folder; returns `[{ file, problem }]` for files refused
     * before sending (a name no volume takes).
     */
    add(files, { target, overwrite = false, verify = false }) {
      const refused = [];
      for (const file of files) {
        const problem = fileNameProblem(file.name);
        if (problem) refused.push({ file, problem });
        else jobs.unshift(new UploadJob(file, { target, overwrite, verify }, jobDeps));
      }
      pump();
      notify();
      return refused;
    },

    /** Runs a job's button: Pause, Resume, Cancel, Retry, Replace or Dismiss. */
    async act(id, action) {
      const job = jobOf(id);
      if (!job) return;
      if (action === "Pause") job.pause();
      else if (action === "Resume" && job.phase === "paused") job.phase = "queued";
      else if (action === "Cancel") await job.cancel();
      else if (action === "Retry") await job.retry();
      else if (action === "Replace") await job.replace();
      else if (action === "Dismiss") jobs.splice(jobs.indexOf(job), 1);
      pump();
      schedulePoll();
      notify();
    },

    /** Remembered uploads whose file is not on this page: pick it again to resume. */
    pending() {
      const here = new Set(jobs.filter((job) => job.phase !== "cancelled" && job.phase !== "done").map((job) => job.print));
      const byId = new Map((recent ?? []).map((upload) => [upload.id, upload]));
      return store.list().filter((entry) => !here.has(entry.fingerprint))
        .map((entry) => ({ ...entry, server: byId.get(entry.id) ?? null }));
    },

    /** Removes a remembered upload from the server (freeing its quota) and forgets it. */
    async discard(entry) {
      await this.cancelUpload(entry.id);
      store.remove(entry.fingerprint);
      notify();
    },

    /** `DELETE /api/uploads/{id}` (tus termination) for an upload of the recent list; gone already is fine. */
    async cancelUpload(id) {
      try {
        await client.send("DELETE", `${LIST_PATH}/${encodeURIComponent(id)}`, { headers: { "Tus-Resumable": TUS_VERSION } });
      } catch (error) {
        if (error.status !== 404 && error.status !== 410) throw error;
      }
      store.removeUpload(id);
      await refresh();
    },

    /** `POST /api/uploads/{id}/retry` for a failed upload of the recent list. */
    async retryUpload(id) {
      await client.send("POST", `${LIST_PATH}/${encodeURIComponent(id)}/retry`);
      await refresh();
      schedulePoll();
    },

    /** The connection came back: sends that failed for want of it go on. */
    online() {
      for (const job of jobs) if (job.phase === "failed" && job.stage === "send" && job.error?.status === 0) job.phase = "queued";
      pump();
      notify();
    },

    refresh,
    subscribe(listener) {
      listeners.add(listener);
      refresh().then(schedulePoll);
      return () => listeners.delete(listener);
    },
  };
}
