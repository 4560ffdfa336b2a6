/** Text for the clipboard: RFC 4180 CSV fields and lines (as the server's result.csv writes them). */

/** One CSV field: NULL is empty; commas, quotes, CR/LF or edge spaces force quotes (quotes doubled). */
export function csvField(value) {
  if (value === null || value === undefined) return "";
  const text = String(value);
  if (!/[",\r\n]/.test(text) && !text.startsWith(" ") && !text.endsWith(" ")) return text;
  return `"${text.replaceAll('"', '""')}"`;
}

/** One CSV line, CRLF-terminated. */
export function csvLine(values) {
  return values.map(csvField).join(",") + "\r\n";
}
