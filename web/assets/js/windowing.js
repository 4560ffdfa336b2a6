/** Which rows of a fixed-row-height list are in view: the arithmetic behind every virtual list. */

/**
 * The rows to draw for a viewport: `start` (inclusive) to `end` (exclusive), with `overscan`
 * extra rows each side, plus the total scroll height. Everything is clamped to the row count.
 */
export function visibleRange({ scrollTop, viewportHeight, rowHeight, count, overscan = 5 }) {
  const totalHeight = count * rowHeight;
  if (count === 0 || rowHeight <= 0) return { start: 0, end: 0, totalHeight };
  const top = Math.max(0, Math.min(scrollTop, totalHeight));
  const first = Math.floor(top / rowHeight);
  const last = Math.ceil((top + Math.max(0, viewportHeight)) / rowHeight);
  return {
    start: Math.max(0, first - overscan),
    end: Math.min(count, last + overscan),
    totalHeight,
  };
}

/** The scrollTop that brings row `index` fully into view, changing as little as possible. */
export function scrollToReveal({ index, scrollTop, viewportHeight, rowHeight }) {
  const top = index * rowHeight;
  if (top < scrollTop) return top;
  const bottom = top + rowHeight;
  if (bottom > scrollTop + viewportHeight) return bottom - viewportHeight;
  return scrollTop;
}
