/**
 * One request over XMLHttpRequest, which uploads need because fetch reports no upload progress:
 * a promise of the answer (any status) and a way to abort it. The XHR class is injected, so Node
 * tests replay recorded answers. Errors are the data layer's ApiError (the JSON envelope's code,
 * message and request id), so pages show upload failures like every other failure.
 */
import { ApiError, networkError } from "../errors.js";

/** The rejection of a request stopped with `abort()` (a pause or a cancel, not a failure). */
export class AbortedError extends Error {
  constructor() {
    super("The request was stopped.");
    this.name = "AbortedError";
  }
}

export const isAborted = (error) => error instanceof AbortedError;

/**
 * Sends `method url` with `headers` and `body` (a Blob, string or null). Resolves with
 * `{ status, header(name), text }` for every answer; rejects with a network ApiError when no answer
 * came, and with AbortedError after `abort()`. `onUploadProgress(bytesSent)` follows the body.
 */
export function xhrRequest(XHR, { method, url, headers = {}, body = null, onUploadProgress = null }) {
  const xhr = new XHR();
  const promise = new Promise((resolve, reject) => {
    xhr.open(method, url);
    for (const [name, value] of Object.entries(headers)) xhr.setRequestHeader(name, value);
    if (onUploadProgress && xhr.upload) xhr.upload.onprogress = (event) => onUploadProgress(event.loaded);
    xhr.onload = () => resolve({ status: xhr.status, header: (name) => xhr.getResponseHeader(name), text: xhr.responseText ?? "" });
    xhr.onerror = () => reject(networkError());
    xhr.ontimeout = () => reject(networkError());
    xhr.onabort = () => reject(new AbortedError());
    xhr.send(body);
  });
  return { promise, abort: () => xhr.abort() };
}

/** The ApiError of a non-2xx answer, from its JSON envelope when it has one (HEAD answers have none). */
export function errorFromAnswer(answer) {
  let envelope = null;
  try {
    envelope = JSON.parse(answer.text || "null")?.error ?? null;
  } catch {
    envelope = null;
  }
  const retryAfter = answer.header("Retry-After");
  return new ApiError({
    status: answer.status,
    code: envelope?.code ?? `http_${answer.status}`,
    message: envelope?.message ?? `FireFly answered ${answer.status}.`,
    requestId: envelope?.request_id ?? answer.header("X-Request-Id") ?? null,
    retryAfter: retryAfter != null && /^\s*\d+\s*$/.test(retryAfter) ? Number(retryAfter) : null,
  });
}

/** The JSON body of an answer, or null. */
export function jsonOf(answer) {
  try {
    return answer.text ? JSON.parse(answer.text) : null;
  } catch {
    return null;
  }
}
