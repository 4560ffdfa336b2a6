import { test } from "node:test";
import assert from "node:assert/strict";
import { chunkIndexForRow, compareCells, createResultStore } from "../assets/js/sql/result-store.js";

/** A SUCCEEDED answer with 3 chunks of 4, 4 and 2 rows; chunk 0 inline. */
function answer() {
  const rows = (offset, count) => Array.from({ length: count }, (_, i) => [String(offset + i), i % 2 ? null : `n${offset + i}`]);
  return {
    statement_id: "st",
    manifest: {
      schema: { columns: [{ name: "id", type_name: "INT" }, { name: "name", type_name: "STRING" }] },
      total_row_count: 10, total_chunk_count: 3,
      chunks: [{ chunk_index: 0, row_offset: 0, row_count: 4 }, { chunk_index: 1, row_offset: 4, row_count: 4 }, { chunk_index: 2, row_offset: 8, row_count: 2 }],
    },
    result: { chunk_index: 0, row_offset: 0, data_array: rows(0, 4) },
    later: { 1: { chunk_index: 1, row_offset: 4, data_array: rows(4, 4) }, 2: { chunk_index: 2, row_offset: 8, data_array: rows(8, 2) } },
  };
}

test("rows of chunk 0 are there at once; others report which chunk they need", () => {
  const store = createResultStore(answer());
  assert.equal(store.totalRows, 10);
  assert.deepEqual(store.row(3), ["3", null]);
  assert.equal(store.row(4), null);
  assert.deepEqual(store.missingChunks(0, 4), []);
  assert.deepEqual(store.missingChunks(2, 9), [1, 2]);
});

test("chunks arriving fill their rows", () => {
  const a = answer(), store = createResultStore(a);
  store.addChunk(a.later[2]);
  assert.deepEqual(store.row(9), ["9", null]);
  assert.deepEqual(store.missingChunks(0, 10), [1]);
  assert.equal(store.loadedRowCount(), 6);
});

test("the chunk of a row is found by binary search", () => {
  const chunks = [{ row_offset: 0 }, { row_offset: 100 }, { row_offset: 250 }];
  assert.deepEqual([0, 99, 100, 249, 250, 9999].map((row) => chunkIndexForRow(chunks, row)), [0, 0, 1, 1, 2, 2]);
});

test("sorting covers the loaded rows only, typed, and can be undone", () => {
  const a = answer(), store = createResultStore(a);
  store.addChunk(a.later[1]);
  store.setSort(0, "descending");
  assert.equal(store.rowCount(), 8);
  assert.deepEqual([0, 1, 7].map((i) => store.row(i)[0]), ["7", "6", "0"]);
  assert.deepEqual(store.missingChunks(0, 8), [], "a sorted view does not fetch");
  store.setSort(1, "ascending");
  assert.deepEqual([0, 1, 2, 3].map((i) => store.row(i)[1]), ["n0", "n2", "n4", "n6"]);
  assert.equal(store.row(7)[1], null, "NULL last");
  store.setSort(0, null);
  assert.equal(store.rowCount(), 10);
  assert.deepEqual(store.row(0), ["0", "n0"]);
});

test("a chunk arriving while sorted joins the sorted rows", () => {
  const a = answer(), store = createResultStore(a);
  store.setSort(0, "descending");
  store.addChunk(a.later[2]);
  assert.equal(store.rowCount(), 6);
  assert.equal(store.row(0)[0], "9");
});

test("numbers compare as numbers, text as text, NULL last either way", () => {
  assert.ok(compareCells("9", "10", "INT") < 0);
  assert.ok(compareCells("9", "10", "STRING") > 0);
  assert.ok(compareCells("-1.5", "2", "DECIMAL") < 0);
  assert.ok(compareCells(null, "1", "INT") > 0);
  assert.ok(compareCells("1", null, "INT") < 0);
});

test("an answer without a chunk list is one chunk", () => {
  const store = createResultStore({ manifest: { schema: { columns: [{ name: "x" }] } }, result: { data_array: [["a"], ["b"]] } });
  assert.equal(store.totalRows, 2);
  assert.deepEqual(store.row(1), ["b"]);
});

test("sorting 100,000 loaded rows stays well under a frame budget of a few hundred ms", () => {
  const rows = Array.from({ length: 100_000 }, (_, i) => [String((i * 7919) % 100_000)]);
  const store = createResultStore({ manifest: { schema: { columns: [{ name: "n", type_name: "INT" }] }, total_row_count: 100_000 }, result: { data_array: rows } });
  const started = performance.now();
  store.setSort(0, "descending");
  assert.ok(performance.now() - started < 1000);
  assert.deepEqual([store.row(0)[0], store.row(99_999)[0]], ["99999", "0"]);
});
