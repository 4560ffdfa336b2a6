import { test } from "node:test";
import assert from "node:assert/strict";
import { complete, referencedTables, typedName } from "../assets/js/sql/completion.js";

/** A metadata source that records which levels were asked for. */
function fakeSource() {
  const asked = [];
  const record = (label, value) => { asked.push(label); return Promise.resolve(value); };
  return {
    asked,
    catalogs: () => record("catalogs", ["samples", "main", "Sales"]),
    schemas: (c) => record(`schemas ${c}`, c === "samples" ? ["nyctaxi", "tpch"] : []),
    tables: (c, s) => record(`tables ${c}.${s}`, ["trips", "trip zones", "orders"]),
    columns: (c, s, t) => record(`columns ${c}.${s}.${t}`, t === "trips" ? ["pickup_zip", "fare_amount"] : ["o_orderkey"]),
  };
}
const keywords = ["select", "from", "sum", "sort"];
const texts = (result) => result.list.map((item) => item.text);

test("the typed name: qualifiers, prefix and where the replacement starts", () => {
  assert.deepEqual(typedName("SELECT * FROM samples.nyc"), { qualifiers: ["samples"], prefix: "nyc", from: 22 });
  assert.deepEqual(typedName("FROM `my cat`.`a``b`.x"), { qualifiers: ["my cat", "a`b"], prefix: "x", from: 21 });
  assert.deepEqual(typedName("FROM samples.`trip z"), { qualifiers: ["samples"], prefix: "trip z", from: 13 });
  assert.deepEqual(typedName("SELECT "), { qualifiers: [], prefix: "", from: 7 });
});

test("a bare prefix offers keywords and catalogs, fetching only the catalog list", async () => {
  const source = fakeSource();
  const result = await complete({ before: "SELECT * FROM s", keywords, source });
  assert.deepEqual(texts(result), ["samples", "Sales", "SELECT", "SUM", "SORT"]);
  assert.equal(result.from, 14);
  assert.equal(result.to, 15);
  assert.deepEqual(source.asked, ["catalogs"]);
});

test("each dot goes one level deeper and asks for that level only", async () => {
  const source = fakeSource();
  assert.deepEqual(texts(await complete({ before: "FROM samples.", keywords, source })), ["nyctaxi", "tpch"]);
  assert.deepEqual(texts(await complete({ before: "FROM samples.nyctaxi.tr", keywords, source })), ["trips", "`trip zones`"]);
  assert.deepEqual(texts(await complete({ before: "WHERE samples.nyctaxi.trips.f", keywords, source })), ["fare_amount"]);
  assert.deepEqual(source.asked, ["schemas samples", "tables samples.nyctaxi", "columns samples.nyctaxi.trips"]);
});

test("columns of the tables named in the statement come first", async () => {
  const source = fakeSource();
  const statement = "SELECT pi FROM samples.nyctaxi.trips JOIN samples.tpch.orders";
  const result = await complete({ before: "SELECT pi", statement, keywords, source });
  assert.equal(result.list[0].text, "pickup_zip");
  assert.equal(result.list[0].kind, "column");
  assert.ok(source.asked.includes("columns samples.tpch.orders"));
});

test("nothing is fetched or offered for an empty word unless asked for", async () => {
  const source = fakeSource();
  assert.equal(await complete({ before: "SELECT ", keywords, source }), null);
  assert.deepEqual(source.asked, []);
  const explicit = await complete({ before: "SELECT ", keywords, source, explicit: true });
  assert.ok(explicit.list.length > 0);
});

test("a failing lookup yields no candidates instead of an error", async () => {
  const source = { ...fakeSource(), schemas: () => Promise.reject(new Error("403")) };
  assert.equal(await complete({ before: "FROM samples.x", keywords, source }), null);
  const catalogsFail = { ...fakeSource(), catalogs: () => Promise.reject(new Error("offline")) };
  assert.deepEqual(texts(await complete({ before: "sel", keywords, source: catalogsFail })), ["SELECT"]);
});

test("referenced tables are parsed, unquoted and deduplicated", () => {
  assert.deepEqual(referencedTables("SELECT * FROM a.b.c JOIN `x y`.z.`w``v` ON 1 JOIN a.b.c"),
    [["a", "b", "c"], ["x y", "z", "w`v"]]);
});
