/** The completion source's metadata, read through the data layer (cached, shared with the tree). */
import { listItems, listPath, tablePath } from "../catalog/paths.js";

const names = (kind) => (body) => listItems(kind, body).items.map((item) => item.name);

/** `{ catalogs, schemas, tables, columns }` returning name lists, first page of each level only. */
export function metadataSource(client) {
  return {
    catalogs: () => client.get(listPath("catalogs", [])).then(names("catalogs")),
    schemas: (catalog) => client.get(listPath("schemas", [catalog])).then(names("schemas")),
    tables: (catalog, schema) => client.get(listPath("tables", [catalog, schema])).then(names("tables")),
    columns: (catalog, schema, table) =>
      client.get(tablePath(catalog, schema, table)).then((info) => (info?.columns ?? []).map((column) => column.name)),
  };
}
