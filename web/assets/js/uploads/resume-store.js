/**
 * Resumable uploads remembered across reloads: the tus URL of each unfinished upload, kept in
 * localStorage per user under a fingerprint of the file (name, size, last modified) and its full
 * target path. Picking the same file for the same target again finds the URL and continues.
 * Storage is injected (and may refuse a write: the upload still works, only not across a reload).
 */

const VERSION = 1;
/** Entries older than this are forgotten (the server expires uploads idle for a day by default). */
export const MAX_AGE_MS = 7 * 24 * 3600 * 1000;

/** The key of a file bound for `path` (the file's full target path). */
export function fingerprint(file, path) {
  return [path, file.name, file.size, file.lastModified].join("\u001f");
}

/** True when `file` is the one an entry was saved for (the user picked it again). */
export const sameFile = (entry, file) => entry.name === file.name && entry.size === file.size && entry.lastModified === file.lastModified;

/** The store of one user's unfinished uploads: `{ [fingerprint]: { url, id, name, size, lastModified, path, folder, overwrite, verify, savedAt } }`. */
export function createResumeStore(storage, userKey, now = Date.now) {
  const key = `firefly.uploads.v${VERSION}.${userKey}`;

  function read() {
    try {
      const saved = JSON.parse(storage.getItem(key));
      return saved && typeof saved === "object" && !Array.isArray(saved) ? saved : {};
    } catch {
      return {};
    }
  }

  function write(entries) {
    try {
      if (Object.keys(entries).length === 0) storage.removeItem(key);
      else storage.setItem(key, JSON.stringify(entries));
      return true;
    } catch {
      return false;
    }
  }

  function update(change) {
    const entries = read();
    change(entries);
    return write(entries);
  }

  return {
    get: (print) => read()[print] ?? null,
    /** Remembers an upload; false when the browser refused to store it. */
    put: (print, entry) => update((entries) => { entries[print] = { ...entry, savedAt: now() }; }),
    remove: (print) => update((entries) => { delete entries[print]; }),
    /** Forgets the upload with this id (it finished, failed for good or was cancelled). */
    removeUpload: (id) => update((entries) => {
      for (const [print, entry] of Object.entries(entries)) if (entry.id === id) delete entries[print];
    }),
    /** The entries, oldest first, each with its fingerprint; too-old ones are dropped on the way. */
    list() {
      const entries = read(), limit = now() - MAX_AGE_MS;
      const stale = Object.keys(entries).filter((print) => !(entries[print]?.savedAt > limit));
      if (stale.length) update((all) => stale.forEach((print) => delete all[print]));
      return Object.entries(entries).filter(([print]) => !stale.includes(print))
        .map(([print, entry]) => ({ ...entry, fingerprint: print }))
        .sort((a, b) => a.savedAt - b.savedAt);
    },
  };
}
