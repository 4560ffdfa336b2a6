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

const BYTE_UNITS = ["bytes", "KiB", "MiB", "GiB", "TiB"];

/** "512 bytes", "1.5 KiB", "8.0 MiB", "4.9 GiB" (binary units, one decimal above bytes). */
export function formatBytes(n) {
  if (!Number.isFinite(n) || n < 0) return "";
  let value = n, unit = 0;
  while (value >= 1024 && unit < BYTE_UNITS.length - 1) {
    value /= 1024;
    unit += 1;
  }
  if (unit === 0) return n === 1 ? "1 byte" : `${n} bytes`;
  return `${value.toFixed(1)} ${BYTE_UNITS[unit]}`;
}

/** "3.2 MiB/s"; "" when unknown. */
export const formatRate = (bytesPerSecond) => (Number.isFinite(bytesPerSecond) && bytesPerSecond > 0 ? `${formatBytes(bytesPerSecond)}/s` : "");

/** "12 s left", "3 min left", "2 h 05 min left"; "" when unknown. */
export function formatTimeLeft(seconds) {
  if (!Number.isFinite(seconds) || seconds < 0) return "";
  const s = Math.ceil(seconds);
  if (s < 60) return `${s} s left`;
  if (s < 3600) return `${Math.ceil(s / 60)} min left`;
  return `${Math.floor(s / 3600)} h ${String(Math.floor((s % 3600) / 60)).padStart(2, "0")} min left`;
}

/**
 * A Date for a server time: epoch milliseconds, epoch seconds (values below 10^11, i.e. before
 * 1973 as milliseconds) or ISO 8601 text; null when absent or unreadable.
 */
export function toDate(value) {
  if (value === null || value === undefined || value === "") return null;
  const number = typeof value === "number" ? value : /^\d+$/.test(value) ? Number(value) : null;
  const date = new Date(number === null ? value : number < 1e11 ? number * 1000 : number);
  return Number.isNaN(date.getTime()) ? null : date;
}
