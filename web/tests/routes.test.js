import { test } from "node:test";
import assert from "node:assert/strict";
import { appPath, catalogPath, loginPath, parsePath, sqlPath, uploadsPath, volumePath } from "../assets/js/router.js";

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

test("volume folders: the root and any depth of sub-folders, names encoded per segment", () => {
  assert.equal(volumePath("main", "default", "raw"), "/catalog/main/default/volumes/raw");
  assert.deepEqual(parsePath("/catalog/main/default/volumes/raw"),
    { name: "volume", params: { catalog: "main", schema: "default", volume: "raw", folder: [] } });
  const deep = volumePath("c", "s", "v", ["2024 q1", "a/b", "x%y"]);
  assert.equal(deep, "/catalog/c/s/volumes/v/2024%20q1/a%2Fb/x%25y");
  assert.deepEqual(parsePath(deep).params, { catalog: "c", schema: "s", volume: "v", folder: ["2024 q1", "a/b", "x%y"] });
  assert.deepEqual(parsePath("/catalog/c/s/volumes/v/dir/").params.folder, ["dir"], "a trailing slash is the same folder");
  assert.deepEqual(parsePath("/catalog/c/s/volumes").params, { catalog: "c", schema: "s", table: "volumes" }, "a table called volumes");
  assert.equal(parsePath("/catalog/c/s/tables/v").name, "not-found");
});

test("apps: the list and one open app", () => {
  assert.deepEqual(parsePath("/apps"), { name: "apps", params: {} });
  assert.equal(appPath("sales-dash"), "/apps/sales-dash");
  assert.equal(appPath(null), "/apps");
  assert.deepEqual(parsePath("/apps/sales-dash"), { name: "app", params: { app: "sales-dash" } });
  assert.equal(parsePath("/apps/a/b").name, "not-found");
});

test("the uploads page keeps its target in the query", () => {
  assert.equal(uploadsPath(null), "/uploads");
  const path = uploadsPath("/Volumes/c/s/v/my dir");
  assert.equal(path, "/uploads?path=%2FVolumes%2Fc%2Fs%2Fv%2Fmy+dir");
  assert.equal(new URLSearchParams(path.split("?")[1]).get("path"), "/Volumes/c/s/v/my dir");
  assert.equal(parsePath("/uploads").name, "uploads");
  assert.equal(parsePath("/uploads/x").name, "not-found");
});

test("the login keeps the path and the query, encoded as one parameter", () => {
  assert.equal(loginPath({ pathname: "/catalog/main", search: "?x=1&y=2" }),
    "/auth/login?return_to=%2Fcatalog%2Fmain%3Fx%3D1%26y%3D2");
});
