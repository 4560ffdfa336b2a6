/** What a failed statement's status says: message, error code, SQLSTATE and the error position. */

const POSITION = /\bline (\d+),\s*pos(?:ition)? (\d+)/i;

/** `{ message, code, sqlState, line, column }` from `status` (`{ state, error: { error_code, message }, sql_state }`). */
export function statementError(status) {
  const message = status?.error?.message ?? `The statement ended ${status?.state ?? "unexpectedly"}.`;
  const match = message.match(POSITION);
  return {
    message,
    code: status?.error?.error_code ?? null,
    sqlState: status?.sql_state ?? message.match(/SQLSTATE:\s*([0-9A-Z]{5})/)?.[1] ?? null,
    line: match ? Number(match[1]) : null,
    column: match ? Number(match[2]) : null,
  };
}

/** The offset in the whole editor text of (line 1-based, column 0-based) inside a statement starting at `start`. */
export function errorOffset(text, start, line, column) {
  let offset = start;
  for (let i = 1; i < line; i += 1) {
    const next = text.indexOf("\n", offset);
    if (next < 0) break;
    offset = next + 1;
  }
  return Math.min(offset + column, text.length);
}
