import { test } from "node:test";
import assert from "node:assert/strict";
import { historyPath } from "../assets/js/pages/history-page.js";
import { formatDuration } from "../assets/js/format.js";

test("history paths carry the search, the page size and the cursor", () => {
  assert.equal(historyPath(""), "/api/sql/history?limit=50");
  assert.equal(historyPath("trips & fares", 120), "/api/sql/history?limit=50&q=trips+%26+fares&before=120");
  assert.equal(historyPath("x", 0), "/api/sql/history?limit=50&q=x&before=0", "cursor 0 is a cursor");
});

test("durations read naturally", () => {
  assert.equal(formatDuration(0), "0.0 s");
  assert.equal(formatDuration(59_949), "59.9 s");
  assert.equal(formatDuration(125_000), "2 min 05 s");
  assert.equal(formatDuration(-1), "");
});
