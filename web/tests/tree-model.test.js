import { test } from "node:test";
import assert from "node:assert/strict";
import {
  ROOT, addPage, createTree, flatten, keyAction, markFailed, markLoading, nodeId, toggle,
} from "../assets/js/catalog/tree-model.js";

const names = (rows) => rows.map((row) => (row.type === "node" ? `${"  ".repeat(row.level - 1)}${row.node.name}` : `${"  ".repeat(row.level - 1)}<${row.type}>`));

/** samples (expanded) → nyctaxi (expanded) → trips, zones + volume raw; main (collapsed). */
function sampleTree() {
  const tree = createTree();
  addPage(tree, ROOT, "catalogs", [{ name: "samples" }, { name: "main" }], null);
  const samples = nodeId("catalog", ["samples"]);
  toggle(tree, samples);
  addPage(tree, samples, "schemas", [{ name: "nyctaxi" }, { name: "tpch" }], null);
  const nyctaxi = nodeId("schema", ["samples", "nyctaxi"]);
  toggle(tree, nyctaxi);
  addPage(tree, nyctaxi, "tables", [{ name: "trips" }, { name: "zones" }], "next-1");
  addPage(tree, nyctaxi, "volumes", [{ name: "raw" }], null);
  return { tree, samples, nyctaxi };
}

test("before the catalogs arrive, the tree shows one loading row", () => {
  assert.deepEqual(names(flatten(createTree())), ["<loading>"]);
});

test("expanded nodes list their children depth first, with a load-more row for a further page", () => {
  const { tree } = sampleTree();
  assert.deepEqual(names(flatten(tree)), ["samples", "  nyctaxi", "    trips", "    zones", "    <more>", "    raw", "  tpch", "main"]);
});

test("rows carry ARIA level, position and set size; nodes know whether they expand", () => {
  const rows = flatten(sampleTree().tree);
  const trips = rows[2];
  assert.equal(trips.level, 3);
  assert.equal(trips.posinset, 1);
  assert.equal(trips.setsize, 2);
  assert.equal(trips.expandable, false);
  assert.equal(rows[0].expanded, true);
  assert.equal(rows[7].expandable, true);
  assert.equal(rows[7].expanded, false);
});

test("a second page is appended and the load-more row goes away without a token", () => {
  const { tree, nyctaxi } = sampleTree();
  markLoading(tree, nyctaxi, "tables");
  assert.deepEqual(names(flatten(tree)).slice(2, 5), ["    trips", "    zones", "    <loading>"]);
  addPage(tree, nyctaxi, "tables", [{ name: "fares" }], null);
  assert.deepEqual(names(flatten(tree)).slice(2, 6), ["    trips", "    zones", "    fares", "    raw"]);
});

test("an expanded node whose lists are empty says so; a failed list shows an error row", () => {
  const { tree } = sampleTree();
  const tpch = nodeId("schema", ["samples", "tpch"]);
  toggle(tree, tpch);
  addPage(tree, tpch, "tables", [], null);
  addPage(tree, tpch, "volumes", [], null);
  const empty = flatten(tree).find((row) => row.type === "empty");
  assert.equal(empty.text, "No tables or volumes in this schema.");
  const main = nodeId("catalog", ["main"]);
  toggle(tree, main);
  markFailed(tree, main, "schemas", new Error("boom"));
  assert.equal(flatten(tree).at(-1).type, "error");
});

test("no catalogs at all tells the user whom to ask", () => {
  const tree = createTree();
  addPage(tree, ROOT, "catalogs", [], null);
  assert.match(flatten(tree)[0].text, /ask your administrator/);
});

test("the filter keeps matches and their ancestors, and everything under a matching node", () => {
  const { tree } = sampleTree();
  assert.deepEqual(names(flatten(tree, "zon")), ["samples", "  nyctaxi", "    zones", "    <more>"]);
  assert.deepEqual(names(flatten(tree, "NYC")), ["samples", "  nyctaxi", "    trips", "    zones", "    <more>", "    raw"]);
  assert.deepEqual(names(flatten(tree, "nothing")), []);
});

test("collapsing hides the subtree", () => {
  const { tree, samples } = sampleTree();
  toggle(tree, samples);
  assert.deepEqual(names(flatten(tree)), ["samples", "main"]);
});

test("5,000 tables flatten and filter quickly", () => {
  const { tree, nyctaxi } = sampleTree();
  addPage(tree, nyctaxi, "tables", Array.from({ length: 5000 }, (_, i) => ({ name: `t${i}` })), null);
  const started = performance.now();
  assert.equal(flatten(tree).length, 7 + 5000, "the load-more row is gone");
  assert.deepEqual(names(flatten(tree, "t4999")), ["samples", "  nyctaxi", "    t4999"]);
  assert.ok(performance.now() - started < 200);
});

test("keys follow the ARIA tree pattern", () => {
  const rows = flatten(sampleTree().tree);
  assert.deepEqual(keyAction(rows, 0, "ArrowDown"), { focus: 1 });
  assert.deepEqual(keyAction(rows, 0, "ArrowUp"), { focus: 0 });
  assert.deepEqual(keyAction(rows, 3, "End"), { focus: rows.length - 1 });
  assert.deepEqual(keyAction(rows, 3, "Home"), { focus: 0 });
  assert.deepEqual(keyAction(rows, 0, "ArrowRight"), { focus: 1 }, "expanded: to the first child");
  assert.deepEqual(keyAction(rows, 7, "ArrowRight"), { action: "expand" }, "collapsed: expand");
  assert.equal(keyAction(rows, 2, "ArrowRight"), null, "a table has no children");
  assert.deepEqual(keyAction(rows, 1, "ArrowLeft"), { action: "collapse" });
  assert.deepEqual(keyAction(rows, 3, "ArrowLeft"), { focus: 1 }, "a leaf: to its parent");
  assert.deepEqual(keyAction(rows, 5, "ArrowLeft"), { focus: 1 }, "a volume: to its schema");
  assert.deepEqual(keyAction(rows, 4, "Enter"), { action: "activate" });
  assert.equal(keyAction(rows, 4, "a"), null);
});
