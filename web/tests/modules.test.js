import { test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, statSync } from "node:fs";
import { join, relative } from "node:path";

const root = new URL("../assets/js/", import.meta.url).pathname;
const modules = (dir) => readdirSync(dir).flatMap((name) => {
  const path = join(dir, name);
  return statSync(path).isDirectory() ? modules(path) : name.endsWith(".js") ? [path] : [];
});

// main.js starts the application on import (it needs a browser); everything else only defines.
for (const path of modules(root).filter((path) => !path.endsWith("/main.js"))) {
  test(`${relative(root, path)} loads and every name it imports exists`, async () => {
    assert.equal(typeof (await import(path)), "object");
  });
}
