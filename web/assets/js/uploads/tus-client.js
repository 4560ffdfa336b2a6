/**
 * A tus 1.0 client (core, creation, termination, checksum) for FireFly's `/api/uploads`. The file is
 * sent in 8 MiB slices taken with `File.slice` (never read whole), one PATCH each over XHR so the
 * page sees upload progress. Network errors, 5xx, 409, 423, 429 and 460 (checksum mismatch) are
 * retried with backoff after asking the server for its offset (HEAD); any other 4xx stops, and a
 * 410 carries the server's `Upload-State`. `pause()` aborts the request in flight; `start()` again
 * continues from the server's offset. With checksums, the next slice is hashed while the current
 * one is on the wire. XHR, sleep, randomness and the digest are injected (tests replay a protocol
 * transcript).
 */
import { ApiError, retryDelay } from "../errors.js";
import { errorFromAnswer, isAborted, xhrRequest } from "./xhr.js";

export const TUS_VERSION = "1.0.0";
/** The largest body FireFly takes in one PATCH. */
export const CHUNK_SIZE = 8 * 1024 * 1024;
const MAX_RETRIES = 6;
const RETRIED_4XX = new Set([409, 423, 429, 460]);

function base64(bytes) {
  let text = "";
  for (const byte of bytes) text += String.fromCharCode(byte);
  return btoa(text);
}

/** `Upload-Metadata`: `key base64(UTF-8 value)` pairs joined by commas; absent and false values left out. */
export function encodeMetadata(values) {
  return Object.entries(values)
    .filter(([, value]) => value !== undefined && value !== null && value !== false)
    .map(([key, value]) => `${key} ${base64(new TextEncoder().encode(String(value)))}`)
    .join(",");
}

/**
 * A digest for `Upload-Checksum` values: `(blob, ticket?) => Promise<base64 of its SHA-256>` (Web
 * Crypto). Each slice is read into one buffer the hasher keeps and reuses (a BYOB read of
 * `blob.stream()`), not into a new 8 MiB `ArrayBuffer` per slice that waits for the garbage
 * collector; calls run one after the other, as they share that buffer. A call whose
 * `ticket.dropped` is set before its turn comes is skipped (it rejects without reading). Where
 * `Blob.stream()` is not a byte stream, each slice is read with `blob.arrayBuffer()` instead.
 */
export function sliceHasher() {
  let scratch = new ArrayBuffer(0);
  let queue = Promise.resolve();

  /** The blob's bytes: a view of `scratch`, or a buffer of their own where BYOB reads are missing. */
  async function read(blob) {
    let reader;
    try {
      reader = blob.stream().getReader({ mode: "byob" });
    } catch (error) {
      if (!(error instanceof TypeError)) throw error;
      return new Uint8Array(await blob.arrayBuffer());
    }
    if (scratch.byteLength < blob.size) scratch = new ArrayBuffer(blob.size);
    let filled = 0;
    try {
      while (filled < blob.size) {
        const { value, done } = await reader.read(new Uint8Array(scratch, filled, scratch.byteLength - filled));
        if (value) scratch = value.buffer;  // the read hands the same memory back in a new object
        if (done) break;
        filled += value.byteLength;
      }
    } catch (error) {
      scratch = new ArrayBuffer(0);  // a read that failed half-way leaves the buffer detached
      throw error;
    } finally {
      await reader.cancel().catch(() => {});  // the slice's stream ends here, not at garbage collection
    }
    if (filled !== blob.size) throw new Error(`read ${filled} of the slice's ${blob.size} bytes (did the file change?)`);
    return new Uint8Array(scratch, 0, filled);
  }

  async function hash(blob) {
    // digest() copies the bytes before it returns, so the buffer is free for the next slice at once.
    return base64(new Uint8Array(await crypto.subtle.digest("SHA-256", await read(blob))));
  }

  return (blob, ticket = null) => {
    const result = queue.then(() => (ticket?.dropped ? Promise.reject(new Error("slice hash dropped")) : hash(blob)));
    queue = result.catch(() => {});
    return result;
  };
}

/** The hasher of every upload on the page: one slice buffer (8 MiB at most) however many uploads ran. */
const pageHasher = sliceHasher();

/** The upload id of a tus URL: its last path segment (`/api/uploads/{id}`). */
export const uploadIdOf = (url) => url.split(/[?#]/)[0].replace(/\/+$/, "").split("/").pop();

/** True for failures worth another attempt: no answer, 5xx, or a 4xx that says "not now". */
export const isRetryable = (error) => error.status === 0 || error.status >= 500 || RETRIED_4XX.has(error.status);

export class TusUpload {
  /**
   * `url` resumes an upload created earlier; `headers()` gives the CSRF header for writes;
   * `onProgress(bytesSent)` follows every slice; `onCreated(url)` runs once the server made the upload.
   */
  constructor(file, {
    endpoint = "/api/uploads", url = null, metadata = {}, chunkSize = CHUNK_SIZE, checksum = false, headers = () => ({}),
    XHR = globalThis.XMLHttpRequest, sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms)), random = Math.random,
    digest = pageHasher, onProgress = () => {}, onCreated = () => {}, retries = MAX_RETRIES,
  } = {}) {
    Object.assign(this, { file, endpoint, url, metadata, chunkSize, checksum, headers, XHR, sleep, random, digest, onProgress, onCreated, retries });
    this.offset = 0;
    this.serverState = null;
    this.run = 0;
    this.request = null;
    this.interrupt = () => {};
    /** The digest of the slice expected next, started while the one before it was sent: `{ start, end, promise, ticket }`. */
    this.ahead = null;
  }

  /** The server holds every byte (a zero-length upload still needs its one empty PATCH). */
  get complete() {
    return this.offset >= this.file.size && this.serverState !== null && this.serverState !== "receiving";
  }

  /** Sends what the server lacks; resolves "complete" or "paused", rejects with an ApiError. */
  async start() {
    const run = (this.run += 1);
    const interrupted = new Promise((resolve) => { this.interrupt = resolve; });
    let attempt = 0, resync = this.url !== null;
    for (;;) {
      if (run !== this.run) return "paused";
      try {
        if (this.url === null) await this.create();
        else if (resync) await this.head();
        resync = false;
        if (this.complete) return "complete";
        await this.patch(run);
        attempt = 0;
      } catch (error) {
        if (run !== this.run || isAborted(error)) return "paused";
        const retry = this.url === null ? error.transient : isRetryable(error);
        if (!retry || attempt >= this.retries) throw error;
        resync = this.url !== null;
        if (error.code !== "offset_mismatch") await Promise.race([this.sleep(retryDelay(error, attempt, this.random)), interrupted]);
        attempt += 1;
      }
    }
  }

  /** Stops sending (the request in flight is aborted); `start()` continues later. */
  pause() {
    this.run += 1;
    this.dropAhead();
    this.request?.abort();
    this.interrupt();
  }

  /** Stops and removes the upload on the server (tus termination); an upload already gone is fine. */
  async terminate() {
    this.pause();
    if (this.url === null) return;
    const answer = await this.send("DELETE", this.url, this.writeHeaders());
    if (answer.status !== 204 && answer.status !== 404 && answer.status !== 410) throw errorFromAnswer(answer);
  }

  writeHeaders(extra = {}) {
    return { "Tus-Resumable": TUS_VERSION, ...this.headers(), ...extra };
  }

  async send(method, url, headers, body = null, onUploadProgress = null) {
    const request = xhrRequest(this.XHR, { method, url, headers, body, onUploadProgress });
    this.request = request;
    try {
      return await request.promise;
    } finally {
      if (this.request === request) this.request = null;
    }
  }

  async create() {
    const answer = await this.send("POST", this.endpoint, this.writeHeaders({
      "Upload-Length": String(this.file.size), "Upload-Metadata": encodeMetadata(this.metadata),
    }));
    const location = answer.header("Location");
    if (answer.status !== 201 || !location) throw errorFromAnswer(answer);
    this.url = location;
    this.offset = 0;
    this.serverState = "receiving";
    this.onCreated(location);
  }

  /** Asks the server for its offset (`Upload-Offset`, `Upload-State`); 410 rejects with the state. */
  async head() {
    const answer = await this.send("HEAD", this.url, { "Tus-Resumable": TUS_VERSION });
    if (answer.status !== 200) {
      const error = errorFromAnswer(answer);
      error.uploadState = answer.header("Upload-State");
      throw error;
    }
    const offset = Number(answer.header("Upload-Offset"));
    const length = answer.header("Upload-Length");
    if (!Number.isSafeInteger(offset) || (length !== null && Number(length) !== this.file.size)) {
      throw new ApiError({ status: 422, code: "not_this_file", message: "The upload FireFly kept for this file has another length; it starts again." });
    }
    this.offset = offset;
    this.serverState = answer.header("Upload-State") ?? (offset >= this.file.size ? "forwarding" : "receiving");
    this.onProgress(offset);
  }

  async patch(run) {
    const start = this.offset, end = Math.min(start + this.chunkSize, this.file.size);
    const slice = this.file.slice(start, end);
    const extra = { "Upload-Offset": String(start), "Content-Type": "application/offset+octet-stream" };
    if (this.checksum) {
      extra["Upload-Checksum"] = `sha256 ${await this.sliceDigest(start, end, slice)}`;
      if (run !== this.run) return;
      this.hashAhead(end);
    }
    const answer = await this.send("PATCH", this.url, this.writeHeaders(extra), slice, (sent) => this.onProgress(start + Math.min(sent, end - start)));
    if (answer.status !== 204) throw errorFromAnswer(answer);
    const offset = Number(answer.header("Upload-Offset"));
    this.offset = Number.isSafeInteger(offset) && offset > start ? offset : end;
    this.serverState = this.offset >= this.file.size ? "forwarding" : "receiving";
    this.onProgress(this.offset);
  }

  /** The digest of the slice `start..<end`: the one hashed ahead when it is this slice, else hashed now. */
  sliceDigest(start, end, slice) {
    const ahead = this.ahead;
    if (ahead !== null && ahead.start === start && ahead.end === end) {
      this.ahead = null;
      return ahead.promise;
    }
    if (ahead !== null && ahead.start !== end) this.dropAhead();  // hashed for an offset that no longer comes next
    return this.digest(slice);
  }

  /** Forgets the slice hashed ahead; its hash is skipped if it has not begun. */
  dropAhead() {
    if (this.ahead !== null) this.ahead.ticket.dropped = true;
    this.ahead = null;
  }

  /** Starts hashing the slice that begins at `start` (if any), to be sent after the one now going out. */
  hashAhead(start) {
    const end = Math.min(start + this.chunkSize, this.file.size);
    if (start >= end || (this.ahead !== null && this.ahead.start === start && this.ahead.end === end)) return;
    this.dropAhead();
    const ticket = { dropped: false };
    const promise = this.digest(this.file.slice(start, end), ticket);
    promise.catch(() => {});  // a failure counts only when that slice is sent (its PATCH then fails with it)
    this.ahead = { start, end, promise, ticket };
  }
}
