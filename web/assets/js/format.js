/** Numbers, durations and times as the pages show them. */

/** 12,345 */
export const formatCount = (n) => Number(n).toLocaleString("en-US");

/** "0.4 s", "12.0 s", "3 min 05 s". */
export function formatDuration(ms) {
  if (!Number.isFinite(ms) || ms < 0) return "";
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const seconds = Math.floor(ms / 1000);
  return `${Math.floor(seconds / 60)} min ${String(seconds % 60).padStart(2, "0")} s`;
}

/** A local date and time for epoch milliseconds or an ISO 8601 text; "" when absent. */
export function formatTime(value) {
  if (value === null || value === undefined || value === "") return "";
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? String(value) : date.toLocaleString();
}
