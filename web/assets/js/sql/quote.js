/** Spark SQL identifier quoting. */

/** `name` in backticks, with backticks inside doubled. */
export function quoteIdentifier(name) {
  return "`" + String(name).replaceAll("`", "``") + "`";
}

/** `a`.`b`.`c` for the parts of a qualified name. */
export function quoteQualified(...parts) {
  return parts.map(quoteIdentifier).join(".");
}

/** A name as typed in SQL: bare when it is a plain identifier, else quoted. */
export function identifierText(name) {
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(name) ? name : quoteIdentifier(name);
}

/** The query the table page's "Query this table" opens. */
export function previewQuery(catalog, schema, table, limit = 100) {
  return `SELECT * FROM ${quoteQualified(catalog, schema, table)} LIMIT ${limit}`;
}
