import { test } from "node:test";
import assert from "node:assert/strict";
import { catalogPath, loginPath, parsePath, sqlPath } from "../assets/js/router.js";

test("catalog paths at each depth", () => {
  assert.deepEqual(parsePath("/catalog"), { name: "catalogs", params: {} });
  assert.deepEqual(parsePath("/catalog/main"), { name: "catalog", params: { catalog: "main" } });
  assert.deepEqual(parsePath("/catalog/main/default/"), { name: "schema", params: { catalog: "main", schema: "default" } });
  assert.deepEqual(parsePath("/catalog/main/default/trips"),
    { name: "table", params: { catalog: "main", schema: "default", table: "trips" } });
  assert.equal(parsePath("/catalog/a/b/c/d").name, "not-found");
});

test("names are decoded and encoded symmetrically", () => {
  const path = catalogPath("my cat", "s/x", "t%1");
  assert.equal(path, "/catalog/my%20cat/s%2Fx/t%251");
  assert.deepEqual(parsePath(path).params, { catalog: "my cat", schema: "s/x", table: "t%1" });
  assert.equal(parsePath("/catalog/%E0%A4%A").name, "not-found", "malformed escapes are not found, not a crash");
});

test("sql, history and the other pages", () => {
  assert.deepEqual(parsePath("/sql"), { name: "sql", params: { tab: null } });
  assert.deepEqual(parsePath(sqlPath("t-1")), { name: "sql", params: { tab: "t-1" } });
  assert.equal(parsePath("/history").name, "history");
  assert.equal(parsePath("/uploads").name, "uploads");
  assert.equal(parsePath("/apps").name, "apps");
  assert.equal(parsePath("/").name, "home");
  for (const path of ["/sql/a/b", "/history/1", "/nope", "/catalogs"]) assert.equal(parsePath(path).name, "not-found", path);
});

test("the login keeps the path and the query, encoded as one parameter", () => {
  assert.equal(loginPath({ pathname: "/catalog/main", search: "?x=1&y=2" }),
    "/auth/login?return_to=%2Fcatalog%2Fmain%3Fx%3D1%26y%3D2");
});
