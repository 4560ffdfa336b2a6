import { test } from "node:test";
import assert from "node:assert/strict";
import { ApiError } from "../assets/js/errors.js";
import { formatBytes, formatRate, formatTimeLeft, toDate } from "../assets/js/format.js";
import { isExistsError, uploadAdvice } from "../assets/js/uploads/advice.js";
import { createRateMeter, jobActions, jobProgress, percent, secondsLeft, serverUploadText } from "../assets/js/uploads/progress.js";
import { MAX_AGE_MS, createResumeStore, fingerprint, sameFile } from "../assets/js/uploads/resume-store.js";
import { defaultDbfsFolder, fileNameProblem, filePath, parseTarget } from "../assets/js/uploads/target.js";
import { SMALL_UPLOAD_LIMIT, UploadJob } from "../assets/js/uploads/upload-job.js";
import { CONCURRENT_SENDS, createUploadManager } from "../assets/js/uploads/upload-manager.js";
import { fakeXHR, memoryStorage, settle } from "./support/fake-xhr.js";

const MiB = 1024 * 1024;
const fileOf = (size, name = "data.csv", lastModified = 1_700_000_000_000) => Object.assign(new Blob([new Uint8Array(size)]), { name, lastModified });
const envelope = (code, message = code) => JSON.stringify({ error: { code, message, request_id: "req-3" } });

test("targets: volume folders and DBFS folders, checked like the server checks them", () => {
  assert.deepEqual(parseTarget(" /Volumes/main/default/raw/in/2024/ "),
    { kind: "volume", catalog: "main", schema: "default", volume: "raw", folder: ["in", "2024"], text: "/Volumes/main/default/raw/in/2024" });
  assert.deepEqual(parseTarget("/Volumes/c/s/v").folder, []);
  assert.deepEqual(parseTarget("dbfs:/FileStore/firefly/acme/"), { kind: "dbfs", folder: ["FileStore", "firefly", "acme"], text: "dbfs:/FileStore/firefly/acme" });
  assert.equal(parseTarget("dbfs:/").text, "dbfs:/");
  for (const bad of ["", "/Volumes/c/s", "/Volumes/c//v/x", "/Volumes/c/s/v/../x", "/Volumes/c/s/v/a\u0001", "s3://bucket/x", "Volumes/c/s/v", "dbfs:/a//b"]) {
    assert.ok(parseTarget(bad).error, bad);
  }
  assert.equal(filePath(parseTarget("/Volumes/c/s/v/in"), "a b.csv"), "/Volumes/c/s/v/in/a b.csv");
  assert.equal(filePath(parseTarget("dbfs:/"), "x"), "dbfs:/x");
  assert.equal(fileNameProblem("ok.csv"), null);
  assert.ok(fileNameProblem(".."));
  assert.equal(defaultDbfsFolder("acme"), "dbfs:/FileStore/firefly/acme");
});

test("fingerprints tell files and targets apart; the store keeps one user's uploads across reloads", () => {
  const file = fileOf(10);
  const a = fingerprint(file, "/Volumes/c/s/v/data.csv");
  assert.notEqual(a, fingerprint(file, "/Volumes/c/s/v/other/data.csv"));
  assert.notEqual(a, fingerprint(fileOf(11), "/Volumes/c/s/v/data.csv"));
  assert.notEqual(a, fingerprint(fileOf(10, "data.csv", 5), "/Volumes/c/s/v/data.csv"));
  assert.equal(a, fingerprint(fileOf(10), "/Volumes/c/s/v/data.csv"), "the same file picked again");

  const storage = memoryStorage();
  let clock = 1_000;
  const store = createResumeStore(storage, "ann@example.com", () => clock);
  assert.equal(store.get(a), null);
  store.put(a, { url: "/api/uploads/u1", id: "u1", name: "data.csv", size: 10, lastModified: file.lastModified });
  const reloaded = createResumeStore(storage, "ann@example.com", () => clock);
  assert.equal(reloaded.get(a).url, "/api/uploads/u1");
  assert.ok(sameFile(reloaded.get(a), file));
  assert.equal(createResumeStore(storage, "bob@example.com").get(a), null, "per user");
  assert.deepEqual(reloaded.list().map((e) => e.fingerprint), [a]);
  reloaded.removeUpload("u1");
  assert.equal(reloaded.get(a), null);
  assert.equal(storage.map.size, 0, "an empty store leaves nothing behind");

  store.put(a, { id: "u2" });
  clock += MAX_AGE_MS + 1;
  assert.deepEqual(store.list(), [], "too old");
  storage.setItem("firefly.uploads.v1.ann@example.com", "{not json");
  assert.deepEqual(store.list(), []);
  storage.refuse = true;
  assert.equal(store.put(a, { id: "u3" }), false, "a full storage refuses; nothing throws");
});

test("rate over a sliding window, time left, and a fresh start after the offset went back", () => {
  const meter = createRateMeter({ windowMs: 5000, minSpanMs: 500 });
  meter.add(0, 0);
  assert.equal(meter.rate(), null);
  meter.add(1 * MiB, 400);
  assert.equal(meter.rate(), null, "too short a span");
  meter.add(2 * MiB, 1000);
  assert.equal(meter.rate(), 2 * MiB);
  for (let t = 2000; t <= 10_000; t += 1000) meter.add(2 * MiB + ((t - 1000) / 1000) * 4 * MiB, t);
  assert.equal(meter.rate(), 4 * MiB, "only the last five seconds count");
  meter.add(MiB, 11_000);
  assert.equal(meter.rate(), null, "went back: starts afresh");
  assert.equal(secondsLeft(8 * MiB, 4 * MiB), 2);
  assert.equal(secondsLeft(8 * MiB, null), null);
  assert.equal(percent(1, 3), 33);
  assert.equal(percent(0, 0), 100);
});

test("sizes, rates, times left and server times as the pages show them", () => {
  assert.equal(formatBytes(0), "0 bytes");
  assert.equal(formatBytes(1), "1 byte");
  assert.equal(formatBytes(1536), "1.5 KiB");
  assert.equal(formatBytes(8 * MiB), "8.0 MiB");
  assert.equal(formatBytes(5 * 1024 * MiB), "5.0 GiB");
  assert.equal(formatRate(3.25 * MiB), "3.3 MiB/s");
  assert.equal(formatRate(null), "");
  assert.equal(formatTimeLeft(0.2), "1 s left");
  assert.equal(formatTimeLeft(125), "3 min left");
  assert.equal(formatTimeLeft(7500), "2 h 05 min left");
  assert.equal(formatTimeLeft(null), "");
  assert.equal(toDate(1_700_000_000).getTime(), 1_700_000_000_000, "epoch seconds");
  assert.equal(toDate(1_700_000_000_123).getTime(), 1_700_000_000_123, "epoch milliseconds");
  assert.equal(toDate("2024-05-01T10:00:00Z").toISOString(), "2024-05-01T10:00:00.000Z");
  assert.equal(toDate(""), null);
  assert.equal(toDate("soon"), null);
});

test("each phase's words, percentage and buttons", () => {
  const base = { method: "tus", size: 100 * MiB, sent: 25 * MiB, forwarded: 0, rate: 5 * MiB };
  assert.deepEqual(jobProgress({ ...base, phase: "sending" }), {
    value: 25, text: "Sending to FireFly: 25%", detail: "Sending to FireFly · 25% · 25.0 MiB of 100.0 MiB · 5.0 MiB/s · 15 s left",
  });
  assert.equal(jobProgress({ ...base, phase: "sending", rate: null }).detail, "Sending to FireFly · 25% · 25.0 MiB of 100.0 MiB");
  assert.equal(jobProgress({ ...base, phase: "paused" }).text, "Paused at 25%");
  assert.deepEqual(jobProgress({ ...base, phase: "forwarding", sent: base.size, forwarded: 40 * MiB }).value, 40);
  assert.equal(jobProgress({ ...base, phase: "forwarding", method: "put" }).text, "Writing to Databricks");
  assert.equal(jobProgress({ ...base, phase: "done" }).value, 100);
  assert.equal(jobProgress({ ...base, phase: "failed", stage: "forward" }).text, "Forwarding to Databricks failed");

  assert.deepEqual(jobActions({ ...base, phase: "sending" }), ["Pause", "Cancel"]);
  assert.deepEqual(jobActions({ ...base, method: "put", phase: "sending" }), ["Cancel"]);
  assert.deepEqual(jobActions({ ...base, phase: "paused" }), ["Resume", "Cancel"]);
  assert.deepEqual(jobActions({ ...base, phase: "forwarding" }), []);
  assert.deepEqual(jobActions({ ...base, phase: "failed", exists: true, url: "/api/uploads/u" }), ["Retry", "Replace", "Cancel"]);
  assert.deepEqual(jobActions({ ...base, method: "put", phase: "failed" }), ["Retry", "Dismiss"]);
  assert.deepEqual(jobActions({ ...base, phase: "done" }), ["Dismiss"]);

  assert.deepEqual(serverUploadText({ state: "forwarding", size: 200, forwarded_bytes: 50 }), { label: "Forwarding to Databricks", badge: "text-bg-info", progress: "25% forwarded" });
  assert.equal(serverUploadText({ state: "receiving", size: 2048, received_bytes: 1024 }).progress, "1.0 KiB of 2.0 KiB received");
  assert.equal(serverUploadText({ state: "weird" }).label, "weird");
});

test("errors say what happened and what to do; 'exists' is recognised in each of its forms", () => {
  assert.ok(isExistsError(new ApiError({ status: 409, code: "conflict", message: "The file /Volumes/c/s/v/a already exists." })));
  assert.ok(isExistsError(new ApiError({ status: 409, code: "already_exists" })));
  assert.ok(isExistsError(new ApiError({ status: 400, code: "bad_request", message: "A file or directory already exists at the input path /x." })));
  assert.ok(isExistsError({ status: 502, code: "forward_failed", message: "A different file already exists at the target; upload with overwrite to replace it." }));
  assert.ok(!isExistsError(new ApiError({ status: 409, code: "upload_busy", message: "busy" })));
  assert.match(uploadAdvice(new ApiError({ status: 413, code: "quota_exceeded", message: "over" })).hint, /Cancel an unfinished/);
  assert.match(uploadAdvice(new ApiError({ status: 413, code: "payload_too_large" })).hint, /larger than FireFly accepts/);
  assert.match(uploadAdvice(new ApiError({ status: 403, code: "forbidden" })).hint, /WRITE VOLUME/);
  assert.match(uploadAdvice(new ApiError({ status: 403, code: "dbfs_path_not_allowed" })).hint, /folder your organization may write/);
  assert.match(uploadAdvice(new ApiError({})).hint, /Retry continues/);
  assert.equal(uploadAdvice(new ApiError({ status: 403, code: "forbidden", message: "No." })).message, "No.");
});

/** The page's dependencies with a scripted server. */
function deps(answer, extra = {}) {
  const server = fakeXHR(answer);
  const storage = memoryStorage();
  const sent = [];
  const client = {
    csrfHeaders: () => ({ "X-CSRF-Token": "c1" }),
    unauthorized: () => {},
    get: async (path) => extra.get?.(path) ?? { uploads: [] },
    send: async (method, path, options) => {
      sent.push(`${method} ${path}`);
      return extra.send?.(method, path, options) ?? null;
    },
  };
  return { server, storage, sent, deps: { client, store: createResumeStore(storage, "ann"), XHR: server.XHR, now: () => 0, sleep: async () => {} } };
}

const target = parseTarget("/Volumes/main/default/raw/in");

test("a small file goes in one PUT with the CSRF header; 'exists' offers Replace, which sends again with overwrite", async () => {
  let exists = true;
  const t = deps(({ method, url }) => {
    if (method !== "PUT") throw new Error(`unexpected ${method}`);
    if (exists && !url.includes("overwrite=true")) return { status: 409, body: envelope("conflict", "The file /Volumes/main/default/raw/in/a.csv already exists.") };
    return { status: 201, body: JSON.stringify({ id: "p1", path: "/Volumes/main/default/raw/in/a.csv", sha256: "ab", size: 100, state: "done" }) };
  });
  const phases = [];
  const job = new UploadJob(fileOf(100, "a.csv"), { target }, { ...t.deps, onChange: (j) => phases.push(j.phase) });
  assert.equal(job.method, "put");
  await job.send();
  assert.equal(job.phase, "failed");
  assert.ok(job.exists);
  assert.deepEqual(jobActions(job), ["Retry", "Replace", "Dismiss"]);
  const first = t.server.log[0];
  assert.equal(first.url, "/api/files?path=%2FVolumes%2Fmain%2Fdefault%2Fraw%2Fin%2Fa.csv");
  assert.equal(first.headers["X-CSRF-Token"], "c1");
  assert.equal(first.headers["Content-Type"], "application/octet-stream");
  assert.ok(phases.includes("forwarding"), "once sent, it says FireFly is writing to Databricks");
  await job.replace();
  assert.equal(job.phase, "queued");
  await job.send();
  assert.equal(job.phase, "done");
  assert.equal(job.uploadId, "p1");
  assert.equal(t.server.log[1].url, "/api/files?path=%2FVolumes%2Fmain%2Fdefault%2Fraw%2Fin%2Fa.csv&overwrite=true");
  exists = false;
});

test("files from the small limit up (and any file to verify) go through tus; the URL is kept for a reload", async () => {
  assert.equal(SMALL_UPLOAD_LIMIT, 8 * MiB);
  const size = SMALL_UPLOAD_LIMIT;
  let offset = 0;
  const t = deps(({ method, headers }) => {
    if (method === "POST") return { status: 201, headers: { Location: "/api/uploads/u-1" } };
    if (method === "PATCH") {
      offset = Number(headers["Upload-Offset"]) + size;
      return { status: 204, headers: { "Upload-Offset": offset } };
    }
    throw new Error(method);
  });
  const job = new UploadJob(fileOf(size, "big.parquet"), { target, verify: false }, t.deps);
  assert.equal(job.method, "tus");
  assert.equal(new UploadJob(fileOf(10), { target, verify: true }, t.deps).method, "tus", "verify needs the resumable path");
  await job.send();
  assert.equal(job.phase, "forwarding");
  assert.equal(job.uploadId, "u-1");
  const small = fileOf(10, "tiny.txt");
  t.deps.store.put(fingerprint(small, filePath(target, "tiny.txt")), { url: "/api/uploads/u-0", id: "u-0", verify: true });
  assert.equal(new UploadJob(small, { target }, t.deps).method, "tus", "a small file remembered from a verified upload continues it");
  const kept = t.deps.store.get(job.print);
  assert.equal(kept.url, "/api/uploads/u-1");
  assert.equal(kept.folder, "/Volumes/main/default/raw/in");
  job.setServerState({ state: "forwarding", forwarded_bytes: size / 2 });
  assert.equal(jobProgress(job).value, 50);
  job.setServerState({ state: "done", forwarded_bytes: size });
  assert.equal(job.phase, "done");
  assert.equal(t.deps.store.get(job.print), null, "forgotten once done");
});

test("after a reload the same file continues from the server's offset; a kept upload that is gone starts afresh", async () => {
  const size = 20 * MiB;
  const file = fileOf(size, "big.bin");
  const t = deps(({ method, url, headers }) => {
    if (method === "HEAD" && url === "/api/uploads/old") return { status: 200, headers: { "Upload-Offset": 16 * MiB, "Upload-Length": size, "Upload-State": "receiving" } };
    if (method === "HEAD" && url === "/api/uploads/gone") return { status: 410, headers: { "Upload-State": "failed" } };
    if (method === "DELETE") return { status: 204 };
    if (method === "POST") return { status: 201, headers: { Location: "/api/uploads/new" } };
    if (method === "PATCH") return { status: 204, headers: { "Upload-Offset": Math.min(Number(headers["Upload-Offset"]) + 8 * MiB, size) } };
    throw new Error(`${method} ${url}`);
  });
  const path = filePath(target, "big.bin");
  t.deps.store.put(fingerprint(file, path), { url: "/api/uploads/old", id: "old", overwrite: true, verify: false });
  const job = new UploadJob(file, { target }, t.deps);
  await job.send();
  assert.equal(job.phase, "forwarding");
  assert.deepEqual(t.server.log.map((r) => `${r.method} ${r.url} ${r.headers["Upload-Offset"] ?? ""}`.trim()),
    ["HEAD /api/uploads/old", `PATCH /api/uploads/old ${16 * MiB}`]);
  assert.equal(job.overwrite, true, "the kept upload's options hold");

  t.server.log.length = 0;
  t.deps.store.put(fingerprint(file, path), { url: "/api/uploads/gone", id: "gone" });
  const again = new UploadJob(file, { target }, t.deps);
  await again.send();
  assert.equal(again.phase, "forwarding");
  assert.deepEqual(t.server.log.map((r) => `${r.method} ${r.url}`).slice(0, 3), ["HEAD /api/uploads/gone", "DELETE /api/uploads/gone", "POST /api/uploads"]);
  assert.equal(again.uploadId, "new");
});

test("pause keeps the place; cancel removes the upload on the server and forgets it", async () => {
  let hold = true;
  const t = deps(({ method, headers }) => {
    if (method === "POST") return { status: 201, headers: { Location: "/api/uploads/u-2" } };
    if (method === "PATCH") return hold ? "hold" : { status: 204, headers: { "Upload-Offset": Number(headers["Upload-Offset"]) + 8 * MiB } };
    if (method === "HEAD") return { status: 200, headers: { "Upload-Offset": 0, "Upload-Length": 16 * MiB, "Upload-State": "receiving" } };
    if (method === "DELETE") return { status: 204 };
    throw new Error(method);
  });
  const job = new UploadJob(fileOf(16 * MiB), { target }, t.deps);
  const sending = job.send();
  await settle(10);
  job.pause();
  await sending;
  assert.equal(job.phase, "paused");
  assert.ok(t.deps.store.get(job.print), "kept for Resume, also after a reload");
  await job.cancel();
  assert.equal(job.phase, "cancelled");
  assert.equal(t.server.log.at(-1).method, "DELETE");
  assert.equal(t.server.log.at(-1).headers["Tus-Resumable"], "1.0.0");
  assert.equal(t.deps.store.get(job.print), null);
  hold = false;
});

test("a failed forward: Retry posts …/retry; quota refusals keep their envelope", async () => {
  const t = deps(({ method }) => (method === "POST"
    ? { status: 413, body: envelope("quota_exceeded", "Your unfinished uploads would exceed the quota of 100 bytes.") }
    : { status: 500 }));
  const job = new UploadJob(fileOf(9 * MiB), { target }, t.deps);
  await job.send();
  assert.equal(job.phase, "failed");
  assert.equal(job.error.code, "quota_exceeded");
  assert.equal(job.stage, "send");

  const f = deps(() => ({ status: 500 }));
  const forwarded = new UploadJob(fileOf(9 * MiB), { target }, f.deps);
  Object.assign(forwarded, { phase: "forwarding", uploadId: "u-9" });
  forwarded.setServerState({ state: "failed", forwarded_bytes: 0, error: "A different file already exists at the target; upload with overwrite to replace it." });
  assert.equal(forwarded.phase, "failed");
  assert.equal(forwarded.stage, "forward");
  assert.ok(forwarded.exists);
  await forwarded.retry();
  assert.deepEqual(f.sent, ["POST /api/uploads/u-9/retry"]);
  assert.equal(forwarded.phase, "forwarding");
});

test("the manager sends two files at once, queues the rest, and polls the list only while something moves", async () => {
  const timers = [];
  const t = deps(({ method }) => (method === "PUT" ? "hold" : { status: 500 }), {
    get: () => ({ uploads: [{ id: "x", state: "done", size: 1, received_bytes: 1, forwarded_bytes: 1, target: "/Volumes/c/s/v/x" }] }),
  });
  const manager = createUploadManager({ ...t.deps, setTimeout: (fn, ms) => timers.push({ fn, ms }) });
  let notified = 0;
  manager.subscribe(() => { notified += 1; });
  await settle();
  assert.equal(timers.length, 0, "idle: no polling");
  manager.add([fileOf(1, "a"), fileOf(1, "b"), fileOf(1, "c")], { target });
  const phases = () => manager.jobs().map((job) => `${job.name}:${job.phase}`).sort();
  assert.equal(CONCURRENT_SENDS, 2);
  assert.deepEqual(phases(), ["a:queued", "b:sending", "c:sending"]);
  assert.equal(timers.length, 1);
  assert.equal(timers[0].ms, 1000);
  await manager.act(manager.jobs().find((j) => j.name === "c").id, "Cancel");
  await settle();
  assert.deepEqual(phases(), ["a:sending", "b:sending", "c:cancelled"], "a cancelled send frees its slot");
  await manager.act(manager.jobs().find((j) => j.name === "c").id, "Dismiss");
  assert.equal(manager.jobs().length, 2);
  assert.ok(manager.busy());
  assert.ok(notified > 0);
  const refused = manager.add([fileOf(1, "..")], { target });
  assert.equal(refused.length, 1);
});

test("remembered uploads whose file is not on the page are pending; finished ones are forgotten", async () => {
  const t = deps(() => ({ status: 500 }), {
    get: () => ({ uploads: [{ id: "u-a", state: "receiving", size: 10, received_bytes: 4 }, { id: "u-b", state: "done", size: 5 }] }),
  });
  t.deps.store.put("fp-a", { id: "u-a", url: "/api/uploads/u-a", name: "a.bin", size: 10, folder: "/Volumes/c/s/v" });
  t.deps.store.put("fp-b", { id: "u-b", url: "/api/uploads/u-b", name: "b.bin", size: 5, folder: "/Volumes/c/s/v" });
  const manager = createUploadManager({ ...t.deps, setTimeout: () => {} });
  await manager.refresh();
  const pending = manager.pending();
  assert.deepEqual(pending.map((entry) => entry.id), ["u-a"]);
  assert.equal(pending[0].server.received_bytes, 4);
  await manager.discard(pending[0]);
  assert.deepEqual(t.sent, ["DELETE /api/uploads/u-a"]);
  assert.deepEqual(manager.pending(), []);
});
