import { test } from "node:test";
import assert from "node:assert/strict";
import { splitStatements, statementAt } from "../assets/js/sql/split.js";
import { identifierText, previewQuery, quoteIdentifier, quoteQualified } from "../assets/js/sql/quote.js";
import { csvField, csvLine } from "../assets/js/csv.js";
import { isFinished, pollDelay } from "../assets/js/sql/poll.js";

const texts = (sql) => splitStatements(sql).map((range) => range.text);

test("statements split at semicolons, trimmed, empty pieces dropped", () => {
  assert.deepEqual(texts("SELECT 1;\n  SELECT 2 ;;\n"), ["SELECT 1", "SELECT 2"]);
});

test("semicolons inside strings, quoted names and comments do not split", () => {
  const sql = "SELECT ';', \"a;b\", `x;y` -- c;d\nFROM t /* e;\nf */ WHERE s = 'it''s;' AND u = 'a\\';b'; SELECT 2";
  const parts = texts(sql);
  assert.equal(parts.length, 2);
  assert.ok(parts[0].endsWith("'a\\';b'"));
  assert.equal(parts[1], "SELECT 2");
});

test("an unterminated string or comment runs to the end", () => {
  assert.deepEqual(texts("SELECT 'abc; SELECT 2"), ["SELECT 'abc; SELECT 2"]);
  assert.deepEqual(texts("SELECT 1 /* ; SELECT 2"), ["SELECT 1 /* ; SELECT 2"]);
});

test("offsets point into the original text", () => {
  const sql = "  SELECT 1;\n\nSELECT 2";
  for (const range of splitStatements(sql)) assert.equal(sql.slice(range.start, range.end), range.text);
});

test("the statement under the cursor", () => {
  const sql = "SELECT 1;\n\nSELECT 2;\nSELECT 3";
  assert.equal(statementAt(sql, 3).text, "SELECT 1");
  assert.equal(statementAt(sql, 8).text, "SELECT 1", "at the end of a statement, before its semicolon");
  assert.equal(statementAt(sql, 10).text, "SELECT 1", "in the blank line after it: the one before");
  assert.equal(statementAt(sql, 13).text, "SELECT 2");
  assert.equal(statementAt(sql, sql.length).text, "SELECT 3");
  assert.equal(statementAt("\n\nSELECT 1", 0).text, "SELECT 1", "before the first: the next one");
  assert.equal(statementAt("  ;  ", 1), null);
});

test("identifiers are backtick-quoted with backticks doubled", () => {
  assert.equal(quoteIdentifier("a`b"), "`a``b`");
  assert.equal(quoteQualified("main", "default", "my table"), "`main`.`default`.`my table`");
  assert.equal(previewQuery("c", "s", "t`x"), "SELECT * FROM `c`.`s`.`t``x` LIMIT 100");
  assert.equal(identifierText("trips_2"), "trips_2");
  assert.equal(identifierText("2trips"), "`2trips`");
  assert.equal(identifierText("a-b"), "`a-b`");
});

test("CSV fields follow RFC 4180 like the server's result.csv", () => {
  assert.equal(csvField(null), "");
  assert.equal(csvField("plain"), "plain");
  assert.equal(csvField('say "hi", ok'), '"say ""hi"", ok"');
  assert.equal(csvField("two\nlines"), '"two\nlines"');
  assert.equal(csvField(" padded"), '" padded"');
  assert.equal(csvLine(["a", null, "b,c"]), 'a,,"b,c"\r\n');
});

test("polling starts at half a second and settles at five", () => {
  assert.deepEqual([0, 1, 2, 3].map(pollDelay), [500, 750, 1125, 1688]);
  assert.equal(pollDelay(6), 5000);
  assert.equal(pollDelay(50), 5000);
  assert.ok(isFinished("CANCELED") && isFinished("CLOSED") && !isFinished("RUNNING") && !isFinished("PENDING"));
});
