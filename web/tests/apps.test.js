import { test } from "node:test";
import assert from "node:assert/strict";
import { ApiError } from "../assets/js/errors.js";
import { appState, appsListPath, appsPage, embedPath, lastDeployed } from "../assets/js/apps/app-info.js";
import { MAX_FAILURES, MIN_GAP_MS, createEmbedSession, isExpiredMessage, remintDelay } from "../assets/js/apps/embed-session.js";

test("re-mint a minute before the URL expires, never sooner than 5 s from now", () => {
  const now = 1_700_000_000_000;
  assert.equal(remintDelay(now / 1000 + 300, now), 240_000);
  assert.equal(remintDelay(now / 1000 + 62, now), 5_000);
  assert.equal(remintDelay(now / 1000 - 10, now), 5_000, "already past: soon, not at once");
});

test("only the proxy's message from the app's own frame counts", () => {
  const frame = {}, other = {};
  const message = (origin, source, data) => ({ origin, source, data });
  const origin = "https://notebook--acme.apps.example.com";
  assert.ok(isExpiredMessage(message(origin, frame, { type: "firefly-app-expired" }), origin, frame));
  assert.ok(!isExpiredMessage(message("https://evil.example", frame, { type: "firefly-app-expired" }), origin, frame));
  assert.ok(!isExpiredMessage(message(origin, other, { type: "firefly-app-expired" }), origin, frame));
  assert.ok(!isExpiredMessage(message(origin, frame, "firefly-app-expired"), origin, frame));
  assert.ok(!isExpiredMessage(message(origin, frame, null), origin, frame));
  assert.ok(!isExpiredMessage(message("null", frame, { type: "firefly-app-expired" }), null, frame), "no embed yet");
});

/** A session with a controllable clock and timers; `mints` are answered in order (Error = reject). */
function harness(mints) {
  let clock = 1_000_000_000_000, nextId = 1;
  const timers = new Map(), urls = [], errors = [], reasons = [];
  const session = createEmbedSession({
    mint: async (reason) => {
      reasons.push(reason);
      const next = mints.shift();
      if (next instanceof Error) throw next;
      return next;
    },
    onUrl: (embed) => urls.push(embed.url),
    onError: (error) => errors.push(error),
    now: () => clock,
    setTimeout: (fn, ms) => { timers.set(nextId, { fn, at: clock + ms }); return nextId++; },
    clearTimeout: (id) => timers.delete(id),
  });
  /** Moves the clock on, running the timers that come due. */
  async function advance(ms) {
    const end = clock + ms;
    for (;;) {
      const due = [...timers.entries()].filter(([, t]) => t.at <= end).sort((a, b) => a[1].at - b[1].at)[0];
      if (!due) break;
      timers.delete(due[0]);
      clock = due[1].at;
      due[1].fn();
      await settle();
    }
    clock = end;
  }
  const pending = () => [...timers.values()].map((t) => t.at - clock);
  return { session, urls, errors, reasons, advance, pending, now: () => clock };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));
const embed = (n, at, extra = {}) => ({ url: `https://app--acme.apps.example.com/app-proxy/T${n}/aws/cloud/app/`, origin: "https://app--acme.apps.example.com", expires_at: at, ...extra });

const T0 = 1_000_000_000; // the harness clock's start, in epoch seconds

test("an unused URL is replaced a minute before it expires; once loaded, the cookie carries on", async () => {
  const h = harness([embed(1, T0 + 300), embed(2, T0 + 600)]);
  await h.session.start();
  assert.equal(h.urls.length, 1);
  assert.deepEqual(h.pending(), [240_000]);
  await h.advance(240_000);
  assert.equal(h.urls.length, 2, "re-minted before the unused URL expired");
  assert.deepEqual(h.reasons, ["open", "before-expiry"]);
  h.session.frameLoaded();
  assert.deepEqual(h.pending(), [], "loaded: nothing scheduled (no cookie end known)");
  await h.advance(3_600_000);
  assert.equal(h.urls.length, 2);
});

test("when the embed says when the cookie ends, a new URL comes a minute before", async () => {
  const h = harness([embed(1, T0 + 300, { token_expires_at: T0 + 3600 }), embed(2, T0 + 3900)]);
  await h.session.start();
  h.session.frameLoaded();
  assert.deepEqual(h.pending(), [3_540_000]);
  await h.advance(3_540_000);
  assert.equal(h.urls.length, 2);
});

test("the frame's 'expired' message mints and reloads, at most once per 10 s; a link refused three times is an error", async () => {
  const h = harness([1, 2, 3, 4, 5].map((n) => embed(n, T0 + 300)));
  await h.session.start();
  h.session.frameLoaded();
  await h.advance(60_000);
  h.session.expired();
  await settle();
  assert.equal(h.urls.length, 2, "a minute later: a new URL at once");
  await h.advance(2_000);
  h.session.expired();
  await settle();
  assert.equal(h.urls.length, 2, "two seconds after the last one: not yet");
  assert.deepEqual(h.pending(), [MIN_GAP_MS - 2_000]);
  await h.advance(MIN_GAP_MS);
  assert.equal(h.urls.length, 3, "the delayed one, 10 s after the last");
  h.session.expired();
  await h.advance(MIN_GAP_MS);
  assert.equal(h.urls.length, 4);
  assert.equal(h.errors.length, 0);
  h.session.expired();
  await settle();
  assert.equal(h.errors.length, 1, `${MAX_FAILURES} fresh links refused in a row`);
  assert.equal(h.errors[0].code, "app_link_refused");
  assert.deepEqual(h.pending(), []);
  await h.session.retry();
  assert.equal(h.urls.length, 5, "Try again mints afresh");
});

test("failed mints are retried twice, then the error is shown; permanent errors at once", async () => {
  const busy = () => new ApiError({ status: 503, code: "databricks_unavailable", message: "busy" });
  const h = harness([busy(), busy(), busy()]);
  await h.session.start();
  assert.deepEqual(h.pending(), [2_000]);
  await h.advance(2_000);
  assert.deepEqual(h.pending(), [5_000]);
  await h.advance(5_000);
  assert.equal(h.errors.length, 1);
  assert.equal(h.errors[0].code, "databricks_unavailable");

  const p = harness([new ApiError({ status: 422, code: "app_not_embeddable", message: "no" })]);
  await p.session.start();
  assert.equal(p.errors[0].code, "app_not_embeddable");
  assert.deepEqual(p.pending(), []);
});

test("a stopped session mints nothing more", async () => {
  const h = harness([embed(1, T0 + 300)]);
  await h.session.start();
  h.session.stop();
  assert.deepEqual(h.pending(), []);
  h.session.expired();
  await h.advance(600_000);
  assert.equal(h.urls.length, 1);
});

test("app states, last deploys and paths", () => {
  const running = { name: "dash", app_status: { state: "RUNNING", message: "App is running" }, compute_status: { state: "ACTIVE" } };
  assert.deepEqual(appState(running), { label: "Running", badge: "text-bg-success", running: true, message: "App is running" });
  assert.deepEqual(appState({ app_status: { state: "RUNNING" }, compute_status: { state: "STOPPED", message: "stopped by admin" } }),
    { label: "Stopped", badge: "text-bg-secondary", running: false, message: "stopped by admin" });
  assert.equal(appState({ app_status: { state: "CRASHED" } }).badge, "text-bg-danger");
  assert.equal(appState({}).label, "Unknown");
  assert.equal(lastDeployed({ active_deployment: { create_time: "a", update_time: "b" }, update_time: "c" }), "b");
  assert.equal(lastDeployed({ update_time: "c" }), "c");
  assert.equal(lastDeployed({}), null);
  assert.equal(appsListPath(), "/api/apps?page_size=50");
  assert.equal(appsListPath("t/1"), "/api/apps?page_size=50&page_token=t%2F1");
  assert.equal(embedPath("sales-dash"), "/api/apps/sales-dash/embed");
  assert.deepEqual(appsPage({ apps: [running], next_page_token: "" }), { apps: [running], nextPageToken: null });
});
