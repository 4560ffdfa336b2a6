/** When and how long to wait before a GET is tried again (pure, so it is tested on its own). */

export const MAX_RETRIES = 3;
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
