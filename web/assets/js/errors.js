/**
 * FireFly API errors: the envelope {"error":{"code","message","request_id"}} as one class, and
 * whether and when a failed GET is tried again (pure, tested through the data layer).
 */

/** Codes that come with a 5xx but will not change on their own: retrying only delays the message. */
const PERMANENT_CODES = new Set(["workspace_not_configured"]);

/** An API failure with what the user needs: message, code, HTTP status and the request id. */
export class ApiError extends Error {
  constructor({ status = 0, code = "network_error", message, requestId = null, retryAfter = null }) {
    super(message || "The request failed.");
    this.name = "ApiError";
    this.status = status;
    this.code = code;
    this.requestId = requestId;
    this.retryAfter = retryAfter;
  }

  /** Worth trying again later: no answer at all, a 429, or a 5xx that is not known to be permanent. */
  get transient() {
    if (PERMANENT_CODES.has(this.code)) return false;
    return this.status === 0 || this.status === 429 || this.status >= 500;
  }
}

/** Seconds from a Retry-After header (delta-seconds form only), or null. */
function retryAfterSeconds(headers) {
  const value = headers?.get?.("Retry-After");
  if (value == null || !/^\s*\d+\s*$/.test(value)) return null;
  return Number(value);
}

/** The ApiError for a non-2xx fetch Response, read from its JSON envelope when there is one. */
export async function errorFromResponse(response) {
  let envelope = null;
  try {
    envelope = (await response.json())?.error ?? null;
  } catch {
    envelope = null;
  }
  return new ApiError({
    status: response.status,
    code: envelope?.code ?? `http_${response.status}`,
    message: envelope?.message ?? `FireFly answered ${response.status} ${response.statusText || ""}`.trim() + ".",
    requestId: envelope?.request_id ?? response.headers?.get?.("X-Request-Id") ?? null,
    retryAfter: retryAfterSeconds(response.headers),
  });
}

/** The ApiError for a fetch that never got an answer (offline, DNS, connection reset). */
export function networkError() {
  return new ApiError({ message: "FireFly could not be reached. Check your connection; FireFly retries reads on its own." });
}

const MAX_RETRIES = 3;
const BASE_DELAY_MS = 500;
const MAX_DELAY_MS = 30_000;

/** True when attempt number `attempt` (0-based, already failed with `error`) may be repeated. */
export function shouldRetry(error, attempt) {
  return attempt < MAX_RETRIES && Boolean(error?.transient);
}

/** Milliseconds before retry `attempt` (0-based): Retry-After when given, else 500 ms doubling, jittered. */
export function retryDelay(error, attempt, random = Math.random) {
  if (error?.retryAfter != null) return Math.min(error.retryAfter * 1000, MAX_DELAY_MS);
  const backoff = BASE_DELAY_MS * 2 ** attempt;
  return Math.min(Math.round(backoff * (0.75 + random() * 0.5)), MAX_DELAY_MS);
}
