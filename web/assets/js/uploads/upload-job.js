/**
 * One file's upload, from the pick to the file on Databricks, without any DOM: files below the small
 * limit go in one `PUT /api/files` (XHR, for progress), larger ones (and every file to verify)
 * through the tus client; the tus URL is remembered so a reload, a lost connection or a pause can
 * continue. Once every byte reached FireFly, the forward to Databricks is followed from the upload's
 * state (`setServerState`, fed by the manager's polling). The page draws the job on every change.
 */
import { ApiError } from "../errors.js";
import { isExistsError } from "./advice.js";
import { createRateMeter } from "./progress.js";
import { fingerprint } from "./resume-store.js";
import { filePath } from "./target.js";
import { TusUpload, uploadIdOf } from "./tus-client.js";
import { errorFromAnswer, isAborted, jsonOf, xhrRequest } from "./xhr.js";

/**
 * Files below this go through `PUT /api/files` in one request. FireFly does not publish its limit
 * (FIREFLY_UPLOAD_SMALL_LIMIT, 10 MiB by default): 8 MiB stays below it and below nginx's body limit.
 */
export const SMALL_UPLOAD_LIMIT = 8 * 1024 * 1024;

let nextId = 0;

export class UploadJob {
  /**
   * `target` is a parsed target folder; `deps`: `{ client, store, XHR, sleep, now, onChange }`
   * (`store` a resume store, `client` the data layer).
   */
  constructor(file, { target, overwrite = false, verify = false }, deps) {
    nextId += 1;
    Object.assign(this, { id: `job-${nextId}`, file, deps, overwrite, verify });
    this.name = file.name;
    this.size = file.size;
    this.folder = target.text;
    this.path = filePath(target, file.name);
    // A remembered resumable upload of this file continues, whatever its size and the boxes ticked now.
    const kept = deps.store.get(fingerprint(file, this.path)) !== null;
    this.method = file.size < SMALL_UPLOAD_LIMIT && !verify && !kept ? "put" : "tus";
    this.phase = "queued";
    Object.assign(this, { sent: 0, forwarded: 0, rate: null, error: null, stage: null, exists: false, uploadId: null, resumed: false });
    this.meter = createRateMeter();
    this.tus = null;
    this.request = null;
  }

  get url() { return this.tus?.url ?? null; }
  get print() { return fingerprint(this.file, this.path); }
  /** Sending now, or waiting to: holds one of the manager's slots. */
  get wantsSlot() { return this.phase === "queued"; }

  changed() { this.deps.onChange?.(this); }

  progress(sent) {
    this.sent = sent;
    this.meter.add(sent, this.deps.now());
    this.rate = this.meter.rate();
    if (this.method === "put" && sent >= this.size && this.phase === "sending") this.phase = "forwarding";
    this.changed();
  }

  fail(error, stage) {
    Object.assign(this, { phase: "failed", error, stage, exists: isExistsError(error) });
    if (error?.status === 401) this.deps.client.unauthorized?.(error);
    this.changed();
  }

  /** Sends the bytes (resolves when sent, paused, failed or cancelled; never rejects). */
  async send() {
    if (!["queued", "paused", "failed"].includes(this.phase)) return;
    Object.assign(this, { phase: "sending", error: null, stage: null, exists: false, rate: null });
    this.meter.reset();
    this.changed();
    try {
      if (this.method === "put") await this.put();
      else await this.sendTus();
    } catch (error) {
      if (isAborted(error) || this.phase === "cancelled") return;
      this.fail(error, "send");
    }
  }

  async put() {
    const query = new URLSearchParams({ path: this.path });
    if (this.overwrite) query.set("overwrite", "true");
    this.request = xhrRequest(this.deps.XHR, {
      method: "PUT", url: `/api/files?${query}`, body: this.file, onUploadProgress: (sent) => this.progress(sent),
      headers: { ...this.deps.client.csrfHeaders(), "Content-Type": "application/octet-stream", Accept: "application/json" },
    });
    const answer = await this.request.promise;
    this.request = null;
    if (answer.status < 200 || answer.status > 299) throw errorFromAnswer(answer);
    this.uploadId = jsonOf(answer)?.id ?? null;
    Object.assign(this, { phase: "done", sent: this.size, forwarded: this.size });
    this.changed();
  }

  makeTus(url) {
    const { client, store, XHR, sleep } = this.deps;
    const print = this.print;
    return new TusUpload(this.file, {
      url, XHR, sleep, checksum: this.verify, headers: () => client.csrfHeaders(),
      metadata: { path: this.path, filename: this.name, overwrite: this.overwrite && "true", verify: this.verify && "sha256" },
      onProgress: (sent) => this.progress(sent),
      onCreated: (location) => {
        this.uploadId = uploadIdOf(location);
        store.put(print, {
          url: location, id: this.uploadId, name: this.name, size: this.size, lastModified: this.file.lastModified,
          path: this.path, folder: this.folder, overwrite: this.overwrite, verify: this.verify,
        });
      },
    });
  }

  async sendTus() {
    if (!this.tus) {
      const saved = this.deps.store.get(this.print);
      if (saved) Object.assign(this, { uploadId: saved.id, overwrite: saved.overwrite, verify: saved.verify, resumed: true });
      this.tus = this.makeTus(saved?.url ?? null);
    }
    let outcome;
    try {
      outcome = await this.tus.start();
    } catch (error) {
      if (!this.resumed || ![404, 410, 422].includes(error.status)) throw error;
      // The kept upload is gone (cancelled, expired, failed, or not this file): start afresh.
      await this.discardKept(error);
      return this.sendTus();
    }
    if (outcome === "paused") {
      if (this.phase === "sending") this.phase = "paused";
      return this.changed();
    }
    Object.assign(this, { phase: "forwarding", sent: this.size, rate: null });
    this.changed();
  }

  /** Forgets a remembered upload that cannot continue (a failed one is removed to free the quota). */
  async discardKept(error) {
    this.deps.store.remove(this.print);
    if (error.uploadState === "failed") await this.tus.terminate().catch(() => {});
    Object.assign(this, { tus: null, resumed: false, uploadId: null });
  }

  /** The server's view of this upload (`GET /api/uploads` item) while it is forwarded. */
  setServerState(upload) {
    if (this.method !== "tus" || this.phase !== "forwarding") return;
    this.forwarded = upload.forwarded_bytes ?? this.forwarded;
    if (upload.state === "done") {
      this.phase = "done";
      this.deps.store.removeUpload(this.uploadId);
    } else if (upload.state === "failed") {
      this.fail(new ApiError({ status: 502, code: "forward_failed", message: upload.error || "Forwarding to Databricks failed." }), "forward");
      return;
    } else if (upload.state === "cancelled" || upload.state === "expired") {
      this.deps.store.removeUpload(this.uploadId);
      this.fail(new ApiError({ status: 410, code: upload.state, message: `The upload was ${upload.state} on the server.` }), "forward");
      return;
    }
    this.changed();
  }

  pause() {
    if (this.phase !== "sending" || !this.tus) return;
    this.phase = "paused";
    this.tus.pause();
    this.changed();
  }

  /** Stops the job; a tus upload is removed from the server (its quota freed) and forgotten. */
  async cancel() {
    const before = this.phase;
    this.phase = "cancelled";
    this.changed();
    this.request?.abort();
    if (!this.tus) return;
    try {
      await this.tus.terminate();
      this.deps.store.remove(this.print);
    } catch (error) {
      if (error.code === "not_cancellable") {
        // Every byte arrived meanwhile: the server is forwarding it and cannot stop now.
        this.phase = "forwarding";
        return this.changed();
      }
      this.fail(error, before === "failed" ? this.stage : "send");
    }
  }

  /** After a failure: forward again from the staged copy, or send again (continuing where the server is). */
  async retry() {
    if (this.phase !== "failed") return;
    if (this.stage !== "forward" || this.error?.status === 410) {
      // A 410 (staging lost, cancelled, expired): the server cannot continue this one; start afresh.
      if (this.error?.status === 410 && this.tus) await this.discardKept({ uploadState: "failed" });
      this.phase = "queued";
      return this.changed();
    }
    try {
      await this.deps.client.send("POST", `/api/uploads/${encodeURIComponent(this.uploadId)}/retry`);
      Object.assign(this, { phase: "forwarding", error: null, stage: null, exists: false, forwarded: 0 });
      this.changed();
    } catch (error) {
      this.fail(error, "forward");
    }
  }

  /** After "the file exists": drop this upload (freeing its quota) and queue it again with overwrite. */
  async replace() {
    if (this.tus?.url) {
      await this.tus.terminate().catch(() => {});
      this.deps.store.remove(this.print);
    }
    Object.assign(this, { tus: null, resumed: false, uploadId: null, overwrite: true, phase: "queued", sent: 0, forwarded: 0, error: null, stage: null, exists: false });
    this.changed();
  }
}
