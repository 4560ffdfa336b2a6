import { test } from "node:test";
import assert from "node:assert/strict";
import { scrollToReveal, visibleRange } from "../assets/js/windowing.js";

test("only the rows in view plus overscan are drawn, out of 100,000", () => {
  const range = visibleRange({ scrollTop: 28_000, viewportHeight: 560, rowHeight: 28, count: 100_000, overscan: 5 });
  assert.deepEqual(range, { start: 995, end: 1025, totalHeight: 2_800_000 });
});

test("the range is clamped at the top and the bottom", () => {
  assert.deepEqual(visibleRange({ scrollTop: 0, viewportHeight: 100, rowHeight: 20, count: 1000, overscan: 3 }),
    { start: 0, end: 8, totalHeight: 20_000 });
  assert.deepEqual(visibleRange({ scrollTop: 19_900, viewportHeight: 100, rowHeight: 20, count: 1000, overscan: 3 }),
    { start: 992, end: 1000, totalHeight: 20_000 });
  const past = visibleRange({ scrollTop: 1e9, viewportHeight: 100, rowHeight: 20, count: 10, overscan: 0 });
  assert.equal(past.end, 10);
  assert.ok(past.start <= 10);
});

test("a partly visible row at the bottom is drawn", () => {
  const range = visibleRange({ scrollTop: 10, viewportHeight: 50, rowHeight: 20, count: 100, overscan: 0 });
  assert.deepEqual([range.start, range.end], [0, 3]);
});

test("an empty list draws nothing", () => {
  assert.deepEqual(visibleRange({ scrollTop: 0, viewportHeight: 500, rowHeight: 20, count: 0 }), { start: 0, end: 0, totalHeight: 0 });
});

test("revealing a row scrolls as little as possible", () => {
  const view = { scrollTop: 200, viewportHeight: 100, rowHeight: 20 };
  assert.equal(scrollToReveal({ ...view, index: 12 }), 200, "already visible");
  assert.equal(scrollToReveal({ ...view, index: 5 }), 100, "above: align top");
  assert.equal(scrollToReveal({ ...view, index: 20 }), 320, "below: align bottom");
});
