import { test } from "node:test";
import assert from "node:assert/strict";
import { createDataClient } from "../assets/js/data.js";

const json = (status, body, headers = {}) =>
  new Response(body === undefined ? null : JSON.stringify(body), { status, headers: { "Content-Type": "application/json", ...headers } });
const envelope = (code, message = code) => ({ error: { code, message, request_id: "req-1" } });

/** A client whose fetch answers from `replies` in order, with a controllable clock and instant timers. */
function harness(replies, options = {}) {
  const calls = [], delays = [];
  let clock = 1_000_000, unauthorized = 0;
  const fetch = async (path, init = {}) => {
    calls.push({ path, init });
    const reply = replies.shift();
    if (reply instanceof Error) throw reply;
    return typeof reply === "function" ? reply() : reply;
  };
  const setTimeout = (callback, ms) => { delays.push(ms); queueMicrotask(callback); };
  const client = createDataClient({
    fetch, setTimeout, now: () => clock, random: () => 0.5, staleTime: 1000,
    onUnauthorized: () => { unauthorized += 1; }, ...options,
  });
  return { client, calls, delays, advance: (ms) => { clock += ms; }, unauthorizedCount: () => unauthorized };
}

test("a fresh key is served from the cache, a stale one is fetched again", async () => {
  const h = harness([json(200, { n: 1 }), json(200, { n: 2 })]);
  assert.deepEqual(await h.client.get("/api/catalogs"), { n: 1 });
  h.advance(999);
  assert.deepEqual(await h.client.get("/api/catalogs"), { n: 1 });
  assert.equal(h.calls.length, 1);
  h.advance(1);
  assert.deepEqual(await h.client.get("/api/catalogs"), { n: 2 });
  assert.equal(h.calls.length, 2);
});

test("identical GETs in flight share one request; uncached GETs are not stored", async () => {
  const h = harness([json(200, { n: 1 }), json(200, { n: 2 }), json(200, { n: 3 })]);
  const [a, b] = await Promise.all([h.client.get("/api/x"), h.client.get("/api/x")]);
  assert.equal(a, b);
  assert.equal(h.calls.length, 1);
  await h.client.get("/api/s", { cache: false });
  assert.deepEqual(await h.client.get("/api/s", { cache: false }), { n: 3 });
  assert.equal(h.client.peek("/api/s"), undefined);
});

test("network errors, 5xx and 429 are retried three times with growing delays", async () => {
  const h = harness([new TypeError("offline"), json(502, envelope("databricks_unavailable")), json(503, envelope("busy")), json(200, { ok: true })]);
  assert.deepEqual(await h.client.get("/api/catalogs"), { ok: true });
  assert.equal(h.calls.length, 4);
  assert.deepEqual(h.delays, [500, 1000, 2000]);
});

test("Retry-After seconds are honoured", async () => {
  const h = harness([json(429, envelope("rate_limited"), { "Retry-After": "7" }), json(200, [])]);
  await h.client.get("/api/catalogs");
  assert.deepEqual(h.delays, [7000]);
});

test("after three retries the last error reaches the caller with its envelope", async () => {
  const h = harness([json(500, envelope("a")), json(500, envelope("b")), json(500, envelope("c")), json(503, envelope("d", "still down"))]);
  await assert.rejects(h.client.get("/api/x"), (error) => {
    assert.equal(error.code, "d");
    assert.equal(error.message, "still down");
    assert.equal(error.requestId, "req-1");
    assert.equal(error.transient, true);
    return true;
  });
  assert.equal(h.calls.length, 4);
});

test("other 4xx are never retried and are permanent", async () => {
  for (const status of [400, 403, 404, 409]) {
    const h = harness([json(status, envelope("nope", "No statement x.")), json(200, {})]);
    await assert.rejects(h.client.get("/api/x"), (error) => error.status === status && !error.transient);
    assert.equal(h.calls.length, 1);
  }
});

test("a 503 workspace_not_configured is permanent: no retry", async () => {
  const h = harness([json(503, envelope("workspace_not_configured")), json(200, {})]);
  await assert.rejects(h.client.get("/api/catalogs"), (error) => error.code === "workspace_not_configured" && !error.transient);
  assert.equal(h.calls.length, 1);
});

test("a response without an envelope still gives a readable error", async () => {
  const h = harness([new Response("<html>bad gateway</html>", { status: 404, statusText: "Not Found" })]);
  await assert.rejects(h.client.get("/api/x"), (error) => error.code === "http_404" && /404/.test(error.message));
});

test("writes carry the CSRF token and a JSON body, and are not retried", async () => {
  const h = harness([json(503, envelope("busy")), json(200, {})]);
  h.client.setCsrfToken("tok-9");
  await assert.rejects(h.client.send("POST", "/api/sql/statements", { body: { statement: "SELECT 1" } }));
  assert.equal(h.calls.length, 1);
  const { init } = h.calls[0];
  assert.equal(init.method, "POST");
  assert.equal(init.headers["X-CSRF-Token"], "tok-9");
  assert.equal(init.headers["Content-Type"], "application/json");
  assert.deepEqual(JSON.parse(init.body), { statement: "SELECT 1" });
});

test("every write method gets the header; GETs never do", async () => {
  const h = harness([json(200, {}), json(200, {}), json(200, {}), json(200, {}), json(200, {})]);
  h.client.setCsrfToken("t");
  for (const method of ["POST", "PUT", "PATCH", "DELETE"]) await h.client.send(method, "/api/x");
  await h.client.get("/api/y");
  assert.deepEqual(h.calls.map((c) => c.init.headers["X-CSRF-Token"]), ["t", "t", "t", "t", undefined]);
});

test("a 401 calls onUnauthorized once and is not retried", async () => {
  const h = harness([json(401, envelope("unauthenticated")), json(401, envelope("unauthenticated"))]);
  await assert.rejects(h.client.get("/api/a"), (error) => error.status === 401);
  await assert.rejects(h.client.send("POST", "/api/b"), (error) => error.status === 401);
  assert.equal(h.calls.length, 2);
  assert.equal(h.unauthorizedCount(), 1);
});

test("watched keys that went stale are refetched on focus, fresh ones are not", async () => {
  const h = harness([json(200, { v: 1 }), json(200, { v: 2 })]);
  const seen = [];
  const stop = h.client.watch("/api/me", (state) => seen.push(state.data.v));
  await new Promise((resolve) => setImmediate(resolve));
  h.client.refetchStale();
  await new Promise((resolve) => setImmediate(resolve));
  assert.deepEqual(seen, [1]);
  h.advance(5000);
  h.client.refetchStale();
  await new Promise((resolve) => setImmediate(resolve));
  assert.deepEqual(seen, [1, 2]);
  stop();
  h.advance(5000);
  h.client.refetchStale();
  assert.equal(h.calls.length, 2);
});

test("invalidate drops keys by prefix", async () => {
  const h = harness([json(200, 1), json(200, 2), json(200, 3)]);
  await h.client.get("/api/catalogs/a/schemas");
  await h.client.get("/api/tables/a.b.c");
  h.client.invalidate("/api/catalogs");
  assert.equal(h.client.peek("/api/catalogs/a/schemas"), undefined);
  assert.equal(h.client.peek("/api/tables/a.b.c"), 2);
});

test("callers that send with XHR get the CSRF header; extra headers reach fetch", async () => {
  const h = harness([json(204)]);
  assert.deepEqual(h.client.csrfHeaders(), {});
  h.client.setCsrfToken("tok-2");
  assert.deepEqual(h.client.csrfHeaders(), { "X-CSRF-Token": "tok-2" });
  assert.equal(await h.client.send("DELETE", "/api/uploads/u1", { headers: { "Tus-Resumable": "1.0.0" } }), null);
  assert.equal(h.calls[0].init.headers["Tus-Resumable"], "1.0.0");
  assert.equal(h.calls[0].init.headers["X-CSRF-Token"], "tok-2");
});

test("a 401 met outside the client sends the page to the login once, like the client's own", () => {
  const h = harness([]);
  h.client.unauthorized({ status: 401 });
  h.client.unauthorized({ status: 401 });
  assert.equal(h.unauthorizedCount(), 1);
});
