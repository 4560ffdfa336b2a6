/**
 * The catalog tree's state, without any DOM: nodes loaded page by page per list, which nodes are
 * expanded, the flat list of visible rows (for windowing and ARIA levels), the name filter and
 * what each navigation key does. The view draws `flatten()`'s rows and calls back into here.
 */

export const ROOT = "root";

const LISTS = { root: ["catalogs"], catalog: ["schemas"], schema: ["tables", "volumes"] };
const CHILD_KIND = { catalogs: "catalog", schemas: "schema", tables: "table", volumes: "volume" };
const EMPTY_TEXT = {
  root: "No catalogs are granted to your organization's service principal — ask your administrator.",
  catalog: "No schemas in this catalog that you can see.",
  schema: "No tables or volumes in this schema.",
};

/** A new, empty tree (the root's catalog list not loaded yet). */
export function createTree() {
  return { nodes: new Map([[ROOT, { id: ROOT, kind: "root", names: [], level: 0 }]]), lists: new Map(), expanded: new Set([ROOT]) };
}

/** The lists (`catalogs`, `schemas`, `tables`, `volumes`) under a node of `kind`. */
export const listKinds = (kind) => LISTS[kind] ?? [];

/** A stable id for a node from its kind and names. */
export const nodeId = (kind, names) => `${kind}:${names.join("\u001f")}`;

const listKey = (parentId, kind) => `${parentId}|${kind}`;

/** The state of one list under a node, or undefined before it was asked for. */
export const listState = (tree, parentId, kind) => tree.lists.get(listKey(parentId, kind));

/** Marks a list as loading (its loaded items stay). */
export function markLoading(tree, parentId, kind) {
  const list = listState(tree, parentId, kind) ?? { items: [], nextPageToken: null };
  tree.lists.set(listKey(parentId, kind), { ...list, status: "loading", error: null });
}

/** Records a failed load of a list. */
export function markFailed(tree, parentId, kind, error) {
  const list = listState(tree, parentId, kind) ?? { items: [], nextPageToken: null };
  tree.lists.set(listKey(parentId, kind), { ...list, status: "error", error });
}

/** Appends one page of `items` (objects with `name`) to a list and remembers its next page token. */
export function addPage(tree, parentId, kind, items, nextPageToken) {
  const parent = tree.nodes.get(parentId);
  const list = listState(tree, parentId, kind) ?? { items: [] };
  const ids = items.map(({ name }) => {
    const childKind = CHILD_KIND[kind];
    const names = [...parent.names, name];
    const id = nodeId(childKind, names);
    tree.nodes.set(id, { id, kind: childKind, name, names, level: parent.level + 1, parentId });
    return id;
  });
  tree.lists.set(listKey(parentId, kind), { items: [...list.items, ...ids], nextPageToken, status: "ready", error: null });
}

/** Expands or collapses a node; returns whether it is now expanded. */
export function toggle(tree, id, expand = !tree.expanded.has(id)) {
  if (expand) tree.expanded.add(id);
  else tree.expanded.delete(id);
  return expand;
}

/** True for nodes that can hold children. */
const isExpandable = (node) => listKinds(node.kind).length > 0;

const matcher = (filter) => {
  const needle = filter.trim().toLowerCase();
  return needle ? (node) => node.name.toLowerCase().includes(needle) : null;
};

/** Loaded children of a node, list by list. */
const childIds = (tree, id) => listKinds(tree.nodes.get(id).kind).flatMap((kind) => listState(tree, id, kind)?.items ?? []);

/** True when the node or any loaded descendant matches. */
function hasMatch(tree, id, matches) {
  return matches(tree.nodes.get(id)) || childIds(tree, id).some((child) => hasMatch(tree, child, matches));
}

/** Status rows (loading, error, empty) and "load more" rows for the lists of an expanded node. */
function listRows(tree, node, kind, level) {
  const list = listState(tree, node.id, kind);
  if (!list || (list.status === "loading" && list.items.length === 0)) return [{ type: "loading", parentId: node.id, kind, level }];
  if (list.status === "error") return [{ type: "error", parentId: node.id, kind, level, error: list.error }];
  if (list.status === "loading") return [{ type: "loading", parentId: node.id, kind, level }];
  return list.nextPageToken ? [{ type: "more", parentId: node.id, kind, level }] : [];
}

/** True when every list of the node is loaded, complete and empty. */
function allEmpty(tree, node) {
  return listKinds(node.kind).every((kind) => {
    const list = listState(tree, node.id, kind);
    return list?.status === "ready" && list.items.length === 0 && !list.nextPageToken;
  });
}

/** The rows of an expanded node's children, depth first. */
function childRows(tree, node, matches, inherited, rows) {
  const level = node.level + 1;
  if (allEmpty(tree, node)) {
    rows.push({ type: "empty", parentId: node.id, level, text: EMPTY_TEXT[node.kind] });
    return;
  }
  for (const kind of listKinds(node.kind)) {
    const visible = (listState(tree, node.id, kind)?.items ?? [])
      .filter((id) => inherited || !matches || hasMatch(tree, id, matches));
    visible.forEach((id, index) => nodeRows(tree, id, matches, inherited, rows, { posinset: index + 1, setsize: visible.length }));
    rows.push(...listRows(tree, node, kind, level));
  }
}

/** A node's row, then its children's rows when expanded. */
function nodeRows(tree, id, matches, inherited, rows, position) {
  const node = tree.nodes.get(id);
  const expandable = isExpandable(node);
  const expanded = expandable && tree.expanded.has(id);
  rows.push({ type: "node", id, node, level: node.level, expandable, expanded, ...position });
  if (expanded) childRows(tree, node, matches, inherited || Boolean(matches?.(node)), rows);
}

/**
 * The visible rows in order: `{ type: "node", id, node, level, expandable, expanded, posinset, setsize }`
 * or `{ type: "loading"|"error"|"more"|"empty", parentId, kind?, level }`. With a filter, a node shows
 * when it or a loaded descendant matches; everything under a matching node shows.
 */
export function flatten(tree, filter = "") {
  const rows = [];
  childRows(tree, tree.nodes.get(ROOT), matcher(filter), false, rows);
  return rows;
}

/** Index of the row's parent node (the closest row above with a lower level), or -1. */
function parentIndex(rows, index) {
  for (let i = index - 1; i >= 0; i -= 1) if (rows[i].level < rows[index].level) return i;
  return -1;
}

/**
 * What a key does on row `index`: `{ focus }` to move, `{ action: "expand"|"collapse"|"activate" }`,
 * or null for keys the tree does not handle (arrows, Home, End, Enter as in the ARIA tree pattern).
 */
export function keyAction(rows, index, key) {
  const row = rows[index];
  if (!row) return rows.length ? { focus: 0 } : null;
  switch (key) {
    case "ArrowDown": return { focus: Math.min(index + 1, rows.length - 1) };
    case "ArrowUp": return { focus: Math.max(index - 1, 0) };
    case "Home": return { focus: 0 };
    case "End": return { focus: rows.length - 1 };
    case "Enter": return { action: "activate" };
    case "ArrowRight":
      if (row.type !== "node" || !row.expandable) return null;
      return row.expanded ? { focus: Math.min(index + 1, rows.length - 1) } : { action: "expand" };
    case "ArrowLeft":
      if (row.type === "node" && row.expanded) return { action: "collapse" };
      return parentIndex(rows, index) >= 0 ? { focus: parentIndex(rows, index) } : null;
    default: return null;
  }
}
