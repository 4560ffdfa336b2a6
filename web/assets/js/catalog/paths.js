/** API paths of Unity Catalog reads, shared by the tree, the pages and completion (one cache key each). */

const PAGE_SIZE = 500;

const part = encodeURIComponent;

/** The list path for the children of a node: catalogs (no names), schemas, tables or volumes. */
export function listPath(kind, names, pageToken = null) {
  const [catalog, schema] = names;
  const base = {
    catalogs: "/api/catalogs",
    schemas: `/api/catalogs/${part(catalog)}/schemas`,
    tables: `/api/catalogs/${part(catalog)}/schemas/${part(schema)}/tables`,
    volumes: `/api/catalogs/${part(catalog)}/schemas/${part(schema)}/volumes`,
  }[kind];
  const token = pageToken ? `&page_token=${part(pageToken)}` : "";
  return `${base}?page_size=${PAGE_SIZE}${token}`;
}

/** The items of a list answer (`{catalogs|schemas|tables|volumes: [...], next_page_token}`). */
export function listItems(kind, body) {
  return { items: body?.[kind] ?? [], nextPageToken: body?.next_page_token || null };
}

/** `GET /api/tables/{full_name}`. */
export function tablePath(catalog, schema, table) {
  return `/api/tables/${part(`${catalog}.${schema}.${table}`)}`;
}

/** `GET /api/tables/{full_name}/preview?limit=N`. */
export function previewPath(catalog, schema, table, limit = 100) {
  return `${tablePath(catalog, schema, table)}/preview?limit=${limit}`;
}
