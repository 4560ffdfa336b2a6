/**
 * A statement's result as the grid sees it: columns from the manifest, rows held per chunk as
 * chunks arrive (chunk 0 comes with the statement), which chunks a row range still needs, and a
 * typed client-side sort of the rows loaded so far.
 */

const NUMERIC = new Set(["BYTE", "SHORT", "INT", "LONG", "FLOAT", "DOUBLE", "DECIMAL"]);

/** Compares two cells of a column type: NULL last, numbers as numbers, booleans false < true, else text. */
export function compareCells(a, b, typeName) {
  if (a === b) return 0;
  if (a === null || a === undefined) return 1;
  if (b === null || b === undefined) return -1;
  if (NUMERIC.has(typeName)) {
    const difference = Number(a) - Number(b);
    if (!Number.isNaN(difference) && difference !== 0) return difference;
  }
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Index of the chunk holding row `row` in chunks sorted by `row_offset` (binary search). */
export function chunkIndexForRow(chunks, row) {
  let low = 0, high = chunks.length - 1;
  while (low < high) {
    const middle = (low + high + 1) >> 1;
    if (chunks[middle].row_offset <= row) low = middle;
    else high = middle - 1;
  }
  return low;
}

/** The store for a SUCCEEDED statement answer `{ statement_id, manifest, result }`. */
export function createResultStore(answer) {
  const manifest = answer.manifest ?? {};
  const columns = manifest.schema?.columns ?? [];
  const first = answer.result ?? {};
  const chunks = manifest.chunks?.length
    ? [...manifest.chunks].sort((a, b) => a.row_offset - b.row_offset)
    : [{ chunk_index: 0, row_offset: 0, row_count: first.data_array?.length ?? 0 }];
  const totalRows = manifest.total_row_count ?? chunks.reduce((sum, chunk) => sum + chunk.row_count, 0);
  const loaded = new Map(); // chunk_index → rows
  let order = null, sort = null;

  /** Adds a chunk answer (`{ chunk_index, data_array }`). */
  function addChunk(result) {
    loaded.set(result.chunk_index ?? 0, result.data_array ?? []);
    if (sort) applySort(sort);
  }

  /** The row at position `index` in the original order, or null while its chunk is not loaded. */
  function rawRow(index) {
    const chunk = chunks[chunkIndexForRow(chunks, index)];
    const rows = chunk && loaded.get(chunk.chunk_index);
    return rows ? (rows[index - chunk.row_offset] ?? null) : null;
  }

  /** Chunk indexes needed to show rows [start, end) that are not loaded yet (none while sorted). */
  function missingChunks(start, end) {
    if (order || end <= start) return [];
    const needed = new Set();
    for (let i = chunkIndexForRow(chunks, start); i < chunks.length && chunks[i].row_offset < end; i += 1) {
      if (!loaded.has(chunks[i].chunk_index)) needed.add(chunks[i].chunk_index);
    }
    return [...needed];
  }

  /** Every loaded row's index and its value in `column`, in the original order. */
  function loadedValues(column) {
    const entries = [];
    for (const chunk of chunks) {
      const rows = loaded.get(chunk.chunk_index);
      if (rows) rows.forEach((row, i) => entries.push({ index: chunk.row_offset + i, value: row[column] }));
    }
    return entries;
  }

  function applySort({ column, direction }) {
    const type = columns[column]?.type_name;
    const sign = direction === "descending" ? -1 : 1;
    order = loadedValues(column)
      .sort((a, b) => sign * compareCells(a.value, b.value, type) || a.index - b.index)
      .map((entry) => entry.index);
  }

  /** Sorts the loaded rows by a column ("ascending" or "descending"), or restores the original order (null). */
  function setSort(column, direction) {
    sort = direction ? { column, direction } : null;
    if (sort) applySort(sort);
    else order = null;
  }

  addChunk({ chunk_index: first.chunk_index ?? 0, data_array: first.data_array ?? [] });

  return {
    columns, totalRows, addChunk, missingChunks, setSort,
    sortState: () => sort,
    /** Rows the grid shows: every row, or only the loaded ones while sorted. */
    rowCount: () => (order ? order.length : totalRows),
    row: (index) => (order ? rawRow(order[index]) : rawRow(index)),
    loadedRowCount: () => [...loaded.values()].reduce((sum, rows) => sum + rows.length, 0),
  };
}
