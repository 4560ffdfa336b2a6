/** Splitting SQL text into statements at semicolons outside strings, quoted names and comments. */

/** Index just after the quoted text opened at `open` (backslash escapes in strings, doubled quotes). */
function skipQuoted(text, open, quote) {
  let i = open + 1;
  while (i < text.length) {
    if (text[i] === "\\" && quote !== "`") i += 2;
    else if (text[i] === quote && text[i + 1] === quote) i += 2;
    else if (text[i] === quote) return i + 1;
    else i += 1;
  }
  return text.length;
}

/** Index just after the comment starting at `i`, or `i` when none starts there. */
function skipComment(text, i) {
  if (text.startsWith("--", i)) {
    const end = text.indexOf("\n", i);
    return end < 0 ? text.length : end + 1;
  }
  if (text.startsWith("/*", i)) {
    const end = text.indexOf("*/", i + 2);
    return end < 0 ? text.length : end + 2;
  }
  return i;
}

/** The piece [start, end) trimmed of surrounding white space, or null when nothing is left. */
function trimmedRange(text, start, end) {
  while (start < end && /\s/.test(text[start])) start += 1;
  while (end > start && /\s/.test(text[end - 1])) end -= 1;
  return start < end ? { start, end, text: text.slice(start, end) } : null;
}

/** Every statement as `{ start, end, text }` (offsets into `text`, semicolon excluded). */
export function splitStatements(text) {
  const ranges = [];
  let start = 0, i = 0;
  const close = (end) => {
    const range = trimmedRange(text, start, end);
    if (range) ranges.push(range);
  };
  while (i < text.length) {
    const afterComment = skipComment(text, i);
    if (afterComment !== i) i = afterComment;
    else if (text[i] === "'" || text[i] === '"' || text[i] === "`") i = skipQuoted(text, i, text[i]);
    else if (text[i] === ";") {
      close(i);
      start = i += 1;
    } else i += 1;
  }
  close(text.length);
  return ranges;
}

/** The statement under the cursor: the one containing `offset`, else the closest one before it, else after. */
export function statementAt(text, offset) {
  const ranges = splitStatements(text);
  const containing = ranges.find((range) => offset >= range.start && offset <= range.end);
  if (containing) return containing;
  return ranges.filter((range) => range.end < offset).at(-1) ?? ranges.find((range) => range.start > offset) ?? null;
}
