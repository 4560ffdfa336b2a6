/**
 * Volume (and DBFS) folder listings: the API paths (`GET /api/files/list`, the download URL of a
 * file) and the order a listing is shown in (folders first, then names as people sort them).
 * `GET /api/files/list?path=…[&page_token=…]` → `{ items: [{ path, name, is_directory, size,
 * modified_at }], next_page_token? }`.
 */

/** The list path for a folder (`/Volumes/c/s/v/dir` or `dbfs:/dir`) and an optional page token. */
export function filesListPath(path, pageToken = null) {
  const query = new URLSearchParams({ path });
  if (pageToken) query.set("page_token", pageToken);
  return `/api/files/list?${query}`;
}

/** `GET`/`DELETE /api/files?path=…`: a file's bytes (as an attachment), or its removal. */
export const fileUrl = (path) => `/api/files?${new URLSearchParams({ path })}`;

const collator = new Intl.Collator("en", { numeric: true, sensitivity: "base" });

/** Folders first, then files, each by name ("file2" before "file10"). */
export function sortEntries(items) {
  return [...items].sort((a, b) => Number(Boolean(b.is_directory)) - Number(Boolean(a.is_directory)) || collator.compare(a.name, b.name));
}

/** An entry's name: the API's, else the last segment of its path. */
export const entryName = (entry) => entry.name || String(entry.path ?? "").replace(/\/+$/, "").split("/").pop();

/** The items of a list answer, with their names, and the next page's token. */
export function listingPage(body) {
  const items = (body?.items ?? []).map((item) => ({ ...item, name: entryName(item) }));
  return { items, nextPageToken: body?.next_page_token || null };
}
