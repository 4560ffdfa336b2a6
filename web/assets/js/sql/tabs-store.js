/**
 * The SQL editor's tabs and drafts, kept in localStorage under the user's email so they survive a
 * reload and a new login. Storage is injected (and may refuse a write when full).
 */

const VERSION = 1;

/** A short random id for a tab (also its URL: /sql/<id>). */
function newTabId(random = Math.random) {
  return Math.floor(random() * 36 ** 8).toString(36).padStart(8, "0");
}

/** The store of one user's tabs: `{ tabs: [{ id, title, sql }], active }`. */
export function createTabsStore(storage, email, random = Math.random) {
  const key = `firefly.sql.v${VERSION}.${email}`;
  let state = read();

  function read() {
    try {
      const saved = JSON.parse(storage.getItem(key));
      if (Array.isArray(saved?.tabs) && saved.tabs.length) return saved;
    } catch { /* a damaged entry starts afresh */ }
    const first = { id: newTabId(random), title: "Query 1", sql: "" };
    return { tabs: [first], active: first.id };
  }

  /** Writes the state; false when the browser refused (storage full or disabled). */
  function save() {
    try {
      storage.setItem(key, JSON.stringify(state));
      return true;
    } catch {
      return false;
    }
  }

  const find = (id) => state.tabs.find((tab) => tab.id === id) ?? null;

  /** A title not yet used: "Query N". */
  function nextTitle() {
    let n = state.tabs.length + 1;
    while (state.tabs.some((tab) => tab.title === `Query ${n}`)) n += 1;
    return `Query ${n}`;
  }

  return {
    save,
    tabs: () => state.tabs,
    active: () => state.active,
    get: find,
    /** Adds a tab after the others and makes it active. */
    add({ title = nextTitle(), sql = "" } = {}) {
      const tab = { id: newTabId(random), title, sql };
      state = { tabs: [...state.tabs, tab], active: tab.id };
      save();
      return tab;
    },
    /** Closes a tab; the neighbour becomes active, and closing the last leaves one empty tab. */
    close(id) {
      const index = state.tabs.findIndex((tab) => tab.id === id);
      if (index < 0) return state.active;
      const tabs = state.tabs.filter((tab) => tab.id !== id);
      if (tabs.length === 0) tabs.push({ id: newTabId(random), title: "Query 1", sql: "" });
      const active = state.active === id ? tabs[Math.min(index, tabs.length - 1)].id : state.active;
      state = { tabs, active };
      save();
      return active;
    },
    rename(id, title) {
      const tab = find(id);
      if (tab && title.trim()) tab.title = title.trim().slice(0, 60);
      return save();
    },
    setSql(id, sql) {
      const tab = find(id);
      if (tab) tab.sql = sql;
    },
    /** The tab's default catalog and schema for unqualified names (empty text: none). */
    setDefaults(id, { catalog, schema }) {
      const tab = find(id);
      if (tab) Object.assign(tab, { catalog: catalog.trim(), schema: schema.trim() });
      return save();
    },
    setActive(id) {
      if (find(id)) state.active = id;
      return save();
    },
  };
}
