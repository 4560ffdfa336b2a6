import { test } from "node:test";
import assert from "node:assert/strict";
import { entryName, fileUrl, filesListPath, listingPage, sortEntries } from "../assets/js/files/listing.js";
import { volumeFolderText } from "../assets/js/uploads/target.js";

test("list and file paths carry the folder as one encoded query value", () => {
  assert.equal(filesListPath("/Volumes/c/s/v/my dir"), "/api/files/list?path=%2FVolumes%2Fc%2Fs%2Fv%2Fmy+dir");
  assert.equal(filesListPath("dbfs:/x", "tok&1"), "/api/files/list?path=dbfs%3A%2Fx&page_token=tok%261");
  assert.equal(fileUrl("/Volumes/c/s/v/a+b.csv"), "/api/files?path=%2FVolumes%2Fc%2Fs%2Fv%2Fa%2Bb.csv");
  assert.equal(volumeFolderText("c", "s", "v", ["in", "2024"]), "/Volumes/c/s/v/in/2024");
});

test("folders first, then names in the order people expect", () => {
  const sorted = sortEntries([
    { name: "file10.csv" }, { name: "b", is_directory: true }, { name: "File2.csv" }, { name: "A", is_directory: true },
  ]);
  assert.deepEqual(sorted.map((e) => e.name), ["A", "b", "File2.csv", "file10.csv"]);
});

test("a page of the listing: names from paths when absent, and the next token", () => {
  assert.equal(entryName({ path: "/Volumes/c/s/v/dir/" }), "dir");
  assert.deepEqual(listingPage({ items: [{ path: "/Volumes/c/s/v/a.csv", size: 3 }], next_page_token: "n" }),
    { items: [{ path: "/Volumes/c/s/v/a.csv", size: 3, name: "a.csv" }], nextPageToken: "n" });
  assert.deepEqual(listingPage({}), { items: [], nextPageToken: null });
});
