import { test } from "node:test";
import assert from "node:assert/strict";
import { runStatement } from "../assets/js/sql/statement-run.js";
import { errorOffset, statementError } from "../assets/js/sql/statement-error.js";

const answer = (state, extra = {}) => ({ statement_id: "st-1", status: { state }, ...extra });

/** A client whose POST answers `first` and whose GETs answer `polls` in order; records everything. */
function fakeClient(first, polls) {
  const calls = [];
  let releasePost;
  const postGate = new Promise((resolve) => { releasePost = resolve; });
  return {
    calls, releasePost,
    send: async (method, path, options) => {
      calls.push(`${method} ${path}`);
      if (path === "/api/sql/statements") {
        await (first.gated ? postGate : null);
        return first.answer;
      }
      return { cancel_requested: true };
    },
    get: async (path) => {
      calls.push(`GET ${path}`);
      return polls.shift();
    },
  };
}

test("a running statement is polled with growing delays until it finishes", async () => {
  const client = fakeClient({ answer: answer("PENDING") }, [answer("RUNNING"), answer("RUNNING"), answer("SUCCEEDED")]);
  const delays = [], states = [];
  const run = runStatement(client, { statement: "SELECT 1" }, {
    onUpdate: (a) => states.push(a.status.state), sleep: async (ms) => { delays.push(ms); },
  });
  const final = await run.done;
  assert.equal(final.status.state, "SUCCEEDED");
  assert.deepEqual(states, ["PENDING", "RUNNING", "RUNNING", "SUCCEEDED"]);
  assert.deepEqual(delays, [500, 750, 1125]);
  assert.equal(client.calls.filter((c) => c === "GET /api/sql/statements/st-1").length, 3);
});

test("a statement finished in the first answer is not polled", async () => {
  const client = fakeClient({ answer: answer("FAILED") }, []);
  const final = await runStatement(client, { statement: "x" }, { sleep: async () => {} }).done;
  assert.equal(final.status.state, "FAILED");
  assert.deepEqual(client.calls, ["POST /api/sql/statements"]);
});

test("a cancel asked before the id is known is sent as soon as it is", async () => {
  const client = fakeClient({ answer: answer("RUNNING"), gated: true }, [answer("CANCELED")]);
  const delays = [];
  const run = runStatement(client, { statement: "SELECT sleep(10000)" }, { sleep: async (ms) => { delays.push(ms); } });
  await run.cancel();
  assert.deepEqual(client.calls, ["POST /api/sql/statements"], "nothing to cancel yet");
  client.releasePost();
  const final = await run.done;
  assert.equal(final.status.state, "CANCELED");
  assert.deepEqual(client.calls, ["POST /api/sql/statements", "POST /api/sql/statements/st-1/cancel", "GET /api/sql/statements/st-1"]);
  assert.deepEqual(delays, [500], "polled promptly after the cancel");
});

test("a cancel during a long wait wakes the poll and is sent once", async () => {
  const client = fakeClient({ answer: answer("RUNNING") }, [answer("RUNNING"), answer("CANCELED")]);
  let pending = [];
  const sleep = () => new Promise((resolve) => pending.push(resolve));
  const run = runStatement(client, { statement: "x" }, { sleep });
  await new Promise((resolve) => setImmediate(resolve));
  await Promise.all([run.cancel(), run.cancel()]);
  pending.forEach((resolve) => resolve());
  pending = [];
  await new Promise((resolve) => setImmediate(resolve));
  pending.forEach((resolve) => resolve());
  const final = await run.done;
  assert.equal(final.status.state, "CANCELED");
  assert.equal(client.calls.filter((c) => c.endsWith("/cancel")).length, 1);
});

test("a failed statement's status gives message, SQLSTATE and position", () => {
  const status = {
    state: "FAILED", sql_state: "42601",
    error: { error_code: "BAD_REQUEST", message: "[PARSE_SYNTAX_ERROR] Syntax error at or near 'FORM'. SQLSTATE: 42601 (line 2, pos 9)" },
  };
  assert.deepEqual(statementError(status), {
    message: status.error.message, code: "BAD_REQUEST", sqlState: "42601", line: 2, column: 9,
  });
  const bare = statementError({ state: "FAILED", error: { message: "no such table: x" } });
  assert.equal(bare.line, null);
  assert.equal(bare.sqlState, null);
  assert.equal(statementError({ state: "FAILED", error: { message: "bad. SQLSTATE: 42P01" } }).sqlState, "42P01");
});

test("the error position maps into the editor text from the statement's start", () => {
  const text = "SELECT 1;\nSELECT *\nFORM t";
  const start = text.indexOf("SELECT *");
  assert.equal(text.slice(errorOffset(text, start, 2, 0), errorOffset(text, start, 2, 4)), "FORM");
  assert.equal(errorOffset(text, start, 1, 7), start + 7);
  assert.equal(errorOffset(text, start, 9, 99), text.length, "clamped");
});

test("the status line names the state, rows and elapsed time", async () => {
  const { statusText } = await import("../assets/js/sql/run-status.js");
  assert.match(statusText(null, 0), /^Ready/);
  assert.equal(statusText({ phase: "running", startedAt: 0, answer: null }, 1234), "Submitting… 1.2 s");
  assert.equal(statusText({ phase: "running", startedAt: 0, answer: answer("PENDING") }, 500), "Waiting for the warehouse… 0.5 s");
  assert.equal(statusText({ phase: "running", cancelling: true, startedAt: 0, answer: answer("RUNNING") }, 3200), "Cancelling… 3.2 s");
  const done = { phase: "done", startedAt: 0, finishedAt: 400, answer: answer("SUCCEEDED", { manifest: { total_row_count: 12345 } }) };
  assert.equal(statusText(done, 99_999), "Succeeded · 12,345 rows · 0.4 s");
  assert.equal(statusText({ phase: "done", startedAt: 0, finishedAt: 61_000, answer: answer("CANCELED") }, 0), "Cancelled · 1 min 01 s");
  assert.equal(statusText({ phase: "error", startedAt: 0, error: { message: "statement is required." } }, 0), "Not run: statement is required.");
  assert.equal(statusText({ phase: "error", startedAt: 0, answer: answer("RUNNING"), error: { message: "offline" } }, 0),
    "Lost track of the statement: offline");
});
