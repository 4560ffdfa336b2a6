/** The words of the SQL status line for a run (pure: tested without a page). */
import { formatCount, formatDuration } from "../format.js";

const STATE_WORDS = {
  PENDING: "Waiting for the warehouse", RUNNING: "Running", SUCCEEDED: "Succeeded",
  FAILED: "Failed", CANCELED: "Cancelled", CLOSED: "Result expired",
};

/** `run`: `{ phase: "idle"|"running"|"done"|"error", answer?, cancelling?, startedAt?, finishedAt? }`; `now` in ms. */
export function statusText(run, now) {
  if (!run || run.phase === "idle") return "Ready. Ctrl+Enter (⌘↵) runs the selection or the statement at the cursor.";
  const elapsed = formatDuration((run.finishedAt ?? now) - run.startedAt);
  if (run.phase === "error") {
    const reason = run.error?.message ?? "the request failed";
    return run.answer ? `Lost track of the statement: ${reason}` : `Not run: ${reason}`;
  }
  const state = run.answer?.status?.state;
  if (run.phase === "running") {
    const words = run.cancelling ? "Cancelling" : STATE_WORDS[state] ?? "Submitting";
    return `${words}… ${elapsed}`;
  }
  if (state === "SUCCEEDED") {
    const rows = run.answer.manifest?.total_row_count ?? run.answer.result?.row_count ?? 0;
    return `Succeeded · ${formatCount(rows)} ${rows === 1 ? "row" : "rows"} · ${elapsed}`;
  }
  return `${STATE_WORDS[state] ?? state ?? "Finished"} · ${elapsed}`;
}
