/** Opening SQL in a new editor tab from other pages (the table page, the history). */
import { navigate, sqlPath } from "../router.js";
import { createTabsStore } from "./tabs-store.js";

let store = null;
const runOnOpen = new Set();

/** The signed-in user's tabs (one store per page load). */
export function tabsStore(me) {
  store ||= createTabsStore(localStorage, me.user?.email ?? `user-${me.user?.id}`);
  return store;
}

/** Adds a tab holding `sql`, goes to it, and runs it there when `run` is set. */
export function openInNewTab(me, sql, { title, run = false } = {}) {
  const tab = tabsStore(me).add({ title, sql });
  if (run) runOnOpen.add(tab.id);
  navigate(sqlPath(tab.id));
}

/** True once for a tab opened with `run` (so a reload never runs it again). */
export function takeRunOnOpen(tabId) {
  return runOnOpen.delete(tabId);
}
