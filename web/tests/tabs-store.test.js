import { test } from "node:test";
import assert from "node:assert/strict";
import { createTabsStore } from "../assets/js/sql/tabs-store.js";

function memoryStorage() {
  const map = new Map();
  return { map, getItem: (k) => (map.has(k) ? map.get(k) : null), setItem: (k, v) => map.set(k, String(v)) };
}
let seed = 0;
const random = () => ((seed += 1) * 0.0137) % 1;

test("a first visit gets one empty tab; tabs and drafts survive a new store (reload, new login)", () => {
  const storage = memoryStorage();
  const store = createTabsStore(storage, "ana@example.org", random);
  assert.equal(store.tabs().length, 1);
  const tab = store.add({ title: "trips", sql: "SELECT 1" });
  store.setSql(tab.id, "SELECT 2");
  store.rename(tab.id, "  my trips  ");
  const again = createTabsStore(storage, "ana@example.org", random);
  assert.equal(again.tabs().length, 2);
  assert.equal(again.active(), tab.id);
  assert.deepEqual(again.get(tab.id), { id: tab.id, title: "my trips", sql: "SELECT 2" });
});

test("tabs are kept per user", () => {
  const storage = memoryStorage();
  createTabsStore(storage, "a@x", random).add({ sql: "A" });
  assert.equal(createTabsStore(storage, "b@x", random).tabs().length, 1);
  assert.equal(storage.map.size, 1);
  assert.ok([...storage.map.keys()][0].endsWith("a@x"));
});

test("closing makes the neighbour active, and the last close leaves an empty tab", () => {
  const store = createTabsStore(memoryStorage(), "u", random);
  const [first] = store.tabs();
  const second = store.add();
  const third = store.add();
  assert.equal(second.title, "Query 2");
  store.setActive(second.id);
  assert.equal(store.close(second.id), third.id);
  assert.equal(store.close(first.id), third.id, "closing an inactive tab keeps the active one");
  const last = store.close(third.id);
  assert.equal(store.tabs().length, 1);
  assert.equal(store.tabs()[0].id, last);
  assert.notEqual(last, third.id);
});

test("a full storage is reported, not thrown; damaged data starts afresh", () => {
  const storage = { getItem: () => "{not json", setItem: () => { throw new Error("QuotaExceededError"); } };
  const store = createTabsStore(storage, "u", random);
  assert.equal(store.tabs().length, 1);
  assert.equal(store.save(), false);
  assert.doesNotThrow(() => store.add({ sql: "x" }));
});

test("empty names are not accepted as tab titles", () => {
  const store = createTabsStore(memoryStorage(), "u", random);
  const [tab] = store.tabs();
  store.rename(tab.id, "   ");
  assert.equal(store.get(tab.id).title, "Query 1");
});

test("a tab keeps its default catalog and schema, trimmed", () => {
  const storage = memoryStorage();
  const store = createTabsStore(storage, "u", random);
  const [tab] = store.tabs();
  store.setDefaults(tab.id, { catalog: " samples ", schema: "nyctaxi" });
  const again = createTabsStore(storage, "u", random).get(tab.id);
  assert.equal(again.catalog, "samples");
  assert.equal(again.schema, "nyctaxi");
});
