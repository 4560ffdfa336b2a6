/** How often a running statement is asked for its state. */

const FIRST_POLL_MS = 500;
const MAX_POLL_MS = 5000;

/** Milliseconds before poll number `attempt` (0-based): 0.5 s growing by half each time, at most 5 s. */
export function pollDelay(attempt) {
  return Math.min(Math.round(FIRST_POLL_MS * 1.5 ** attempt), MAX_POLL_MS);
}

/** States after which nothing changes any more. */
export function isFinished(state) {
  return ["SUCCEEDED", "FAILED", "CANCELED", "CLOSED"].includes(state);
}
