/**
 * The SQL editor's completion source, pure: from the text before the cursor it decides what is
 * being typed (a keyword or catalog, `c.` schema, `c.s.` table, `c.s.t.` column) and asks a
 * metadata source for that one level only, so nothing beyond the typed prefix is fetched.
 */
import { identifierText } from "./quote.js";

const NAME = "`(?:[^`]|``)*`|[A-Za-z0-9_]+";
const TAIL = new RegExp(`((?:(?:${NAME})\\.)*)(\`(?:[^\`]|\`\`)*|[A-Za-z0-9_]*)$`);
const THREE_PART = new RegExp(`(?:${NAME})\\.(?:${NAME})\\.(?:${NAME})`, "g");
const MAX_ITEMS = 200;
const MAX_REFERENCED_TABLES = 5;

/** The plain names in `a.\`b c\`.` form. */
function parseNames(text) {
  return [...text.matchAll(new RegExp(NAME, "g"))].map(([name]) =>
    name.startsWith("`") ? name.slice(1, -1).replaceAll("``", "`") : name);
}

/** What is typed before the cursor: the qualifying names, the partial word and where it starts. */
export function typedName(before) {
  const [, qualifiers, partial] = before.match(TAIL);
  const prefix = partial.startsWith("`") ? partial.slice(1).replaceAll("``", "`") : partial;
  return { qualifiers: parseNames(qualifiers), prefix, from: before.length - partial.length };
}

/** The three-part table names written in a statement (the first few). */
export function referencedTables(statement) {
  const tables = (statement.match(THREE_PART) ?? []).map(parseNames);
  const unique = new Map(tables.map((names) => [names.join("\u0000"), names]));
  return [...unique.values()].slice(0, MAX_REFERENCED_TABLES);
}

const startsWith = (prefix) => (name) => name.toLowerCase().startsWith(prefix.toLowerCase());
const orEmpty = (promise) => Promise.resolve(promise).catch(() => []);

/** Candidates for the first word of a name: keywords, catalogs, and columns of tables in the statement. */
async function firstWordCandidates(prefix, statement, keywords, source) {
  const [catalogs, ...columnLists] = await Promise.all([
    orEmpty(source.catalogs()),
    ...referencedTables(statement).map((names) => orEmpty(source.columns(...names))),
  ]);
  const matches = startsWith(prefix);
  const columns = [...new Set(columnLists.flat())];
  return [
    ...columns.filter(matches).map((name) => ({ name, kind: "column" })),
    ...catalogs.filter(matches).map((name) => ({ name, kind: "catalog" })),
    ...keywords.filter(matches).map((name) => ({ name: name.toUpperCase(), kind: "keyword" })),
  ];
}

/** Candidates after qualifiers: schemas of `c`, tables of `c.s`, columns of `c.s.t`. */
async function qualifiedCandidates(qualifiers, prefix, source) {
  const lookup = [null, "schemas", "tables", "columns"][qualifiers.length];
  if (!lookup) return [];
  const kind = { schemas: "schema", tables: "table", columns: "column" }[lookup];
  const names = await orEmpty(source[lookup](...qualifiers));
  return names.filter(startsWith(prefix)).map((name) => ({ name, kind }));
}

/**
 * Completions at the cursor: `{ from, to, list: [{ text, displayText, kind }] }` (columns within the
 * line), or null when there is nothing to offer. Without `explicit`, an empty bare word offers nothing.
 */
export async function complete({ before, statement = "", keywords = [], source, explicit = false }) {
  const { qualifiers, prefix, from } = typedName(before);
  if (qualifiers.length === 0 && prefix === "" && !explicit) return null;
  const candidates = qualifiers.length === 0
    ? await firstWordCandidates(prefix, statement, keywords, source)
    : await qualifiedCandidates(qualifiers, prefix, source);
  if (candidates.length === 0) return null;
  const list = candidates.slice(0, MAX_ITEMS).map(({ name, kind }) => ({
    text: kind === "keyword" ? name : identifierText(name), displayText: name, kind,
  }));
  return { from, to: before.length, list };
}
