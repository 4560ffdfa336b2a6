import { test } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { CHUNK_SIZE, TusUpload, encodeMetadata, sliceHasher, uploadIdOf } from "../assets/js/uploads/tus-client.js";

const MiB = 1024 * 1024;
const URL_1 = "/api/uploads/0b3f2c1e-9a7d-4c55-8e21-6f4a1d2b3c4d";

/** A file of `size` bytes whose byte i is i mod 251 (so every slice's content is checkable). */
function fileOf(size, name = "data.bin") {
  const bytes = new Uint8Array(size);
  for (let i = 0; i < size; i += 1) bytes[i] = i % 251;
  return Object.assign(new Blob([bytes]), { name, lastModified: 1_700_000_000_000 });
}

const envelope = (code, message = code) => JSON.stringify({ error: { code, message, request_id: "req-7" } });

/**
 * A fake XMLHttpRequest that replays a recorded transcript: each step is the request line it expects
 * and the answer (status, headers, body), "network" for a connection that dropped, or "hold" for a
 * request that stays in flight until aborted. Every request is logged with its headers and body bytes.
 */
function replay(transcript) {
  const steps = [...transcript], log = [];
  class FakeXHR {
    constructor() {
      this.upload = {};
      this.requestHeaders = {};
    }
    open(method, url) { Object.assign(this, { method, url }); }
    setRequestHeader(name, value) { this.requestHeaders[name] = value; }
    getResponseHeader(name) {
      const key = Object.keys(this.responseHeaders ?? {}).find((k) => k.toLowerCase() === name.toLowerCase());
      return key === undefined ? null : this.responseHeaders[key];
    }
    abort() { this.onabort?.(); }
    async send(body) {
      const entry = { line: `${this.method} ${this.url}`, headers: this.requestHeaders, body: body ? Buffer.from(await body.arrayBuffer()) : null };
      log.push(entry);
      const [line, answer] = steps.shift() ?? [];
      assert.equal(entry.line, line, `request ${log.length} of the transcript`);
      if (answer === "hold") return;
      await new Promise((resolve) => setImmediate(resolve));
      if (answer === "network") return this.onerror();
      if (body) this.upload.onprogress?.({ loaded: Math.floor(body.size / 2) });
      Object.assign(this, { status: answer.status, responseHeaders: answer.headers ?? {}, responseText: answer.body ?? "" });
      this.onload();
    }
  }
  return { XHR: FakeXHR, log, left: () => steps.length };
}

const created = { status: 201, headers: { Location: URL_1, "Tus-Resumable": "1.0.0" } };
const patched = (offset) => ({ status: 204, headers: { "Upload-Offset": String(offset), "Tus-Resumable": "1.0.0" } });
const headAnswer = (offset, length, state = "receiving") =>
  ({ status: 200, headers: { "Upload-Offset": String(offset), "Upload-Length": String(length), "Upload-State": state } });

/** An upload wired to a transcript, recording its sleeps and progress. */
function harness(file, transcript, options = {}) {
  const server = replay(transcript), sleeps = [], progress = [];
  const upload = new TusUpload(file, {
    XHR: server.XHR, headers: () => ({ "X-CSRF-Token": "csrf-1" }), random: () => 0.5,
    sleep: async (ms) => { sleeps.push(ms); }, onProgress: (sent) => progress.push(sent), ...options,
  });
  return { upload, server, sleeps, progress };
}

const decodeMetadata = (header) => Object.fromEntries(header.split(",").map((pair) => {
  const [key, value] = pair.split(" ");
  return [key, Buffer.from(value, "base64").toString("utf8")];
}));

test("creation: tus headers, the declared length, metadata as key base64(UTF-8) pairs, the CSRF header", async () => {
  const file = fileOf(10, "résumé 📄.csv");
  const { upload, server } = harness(file, [["POST /api/uploads", created], [`PATCH ${URL_1}`, patched(10)]], {
    metadata: { path: "/Volumes/main/default/raw/in/résumé 📄.csv", filename: file.name, overwrite: "true", verify: "sha256", absent: undefined, off: false },
  });
  let location = null;
  upload.onCreated = (url) => { location = url; };
  assert.equal(await upload.start(), "complete");
  const post = server.log[0];
  assert.equal(post.headers["Tus-Resumable"], "1.0.0");
  assert.equal(post.headers["Upload-Length"], "10");
  assert.equal(post.headers["X-CSRF-Token"], "csrf-1");
  assert.equal(post.body, null);
  assert.deepEqual(decodeMetadata(post.headers["Upload-Metadata"]),
    { path: "/Volumes/main/default/raw/in/résumé 📄.csv", filename: "résumé 📄.csv", overwrite: "true", verify: "sha256" });
  assert.match(post.headers["Upload-Metadata"], /^path [A-Za-z0-9+/=]+,filename [A-Za-z0-9+/=]+,overwrite dHJ1ZQ==,verify c2hhMjU2$/);
  assert.equal(location, URL_1);
  assert.equal(uploadIdOf(location), "0b3f2c1e-9a7d-4c55-8e21-6f4a1d2b3c4d");
  assert.equal(uploadIdOf("https://x.example/api/uploads/abc/"), "abc");
  assert.equal(encodeMetadata({}), "");
});

test("the file goes in 8 MiB slices at the server's offsets, each a PATCH with the tus headers", async () => {
  const size = 2 * CHUNK_SIZE + 5;
  const file = fileOf(size);
  const { upload, server, progress } = harness(file, [
    ["POST /api/uploads", created],
    [`PATCH ${URL_1}`, patched(CHUNK_SIZE)], [`PATCH ${URL_1}`, patched(2 * CHUNK_SIZE)], [`PATCH ${URL_1}`, patched(size)],
  ]);
  assert.equal(CHUNK_SIZE, 8 * MiB);
  assert.equal(await upload.start(), "complete");
  const patches = server.log.slice(1);
  assert.deepEqual(patches.map((p) => p.headers["Upload-Offset"]), ["0", String(CHUNK_SIZE), String(2 * CHUNK_SIZE)]);
  assert.deepEqual(patches.map((p) => p.body.length), [CHUNK_SIZE, CHUNK_SIZE, 5]);
  const whole = Buffer.from(await file.arrayBuffer());
  patches.forEach((p, i) => assert.ok(p.body.equals(whole.subarray(i * CHUNK_SIZE, i * CHUNK_SIZE + p.body.length)), `slice ${i}`));
  for (const p of patches) {
    assert.equal(p.headers["Content-Type"], "application/offset+octet-stream");
    assert.equal(p.headers["Tus-Resumable"], "1.0.0");
    assert.equal(p.headers["X-CSRF-Token"], "csrf-1");
    assert.equal(p.headers["Upload-Checksum"], undefined, "no checksum unless asked");
  }
  assert.deepEqual(progress, [CHUNK_SIZE / 2, CHUNK_SIZE, CHUNK_SIZE * 1.5, 2 * CHUNK_SIZE, 2 * CHUNK_SIZE + 2, size], "XHR progress inside each slice, then the confirmed offset");
  assert.equal(server.left(), 0);
});

test("an upload created earlier resumes from the offset HEAD reports (no new creation)", async () => {
  const size = CHUNK_SIZE + 100;
  const { upload, server, progress } = harness(fileOf(size), [
    [`HEAD ${URL_1}`, headAnswer(CHUNK_SIZE, size)], [`PATCH ${URL_1}`, patched(size)],
  ], { url: URL_1 });
  assert.equal(await upload.start(), "complete");
  assert.equal(server.log[0].headers["Tus-Resumable"], "1.0.0");
  assert.equal(server.log[0].headers["X-CSRF-Token"], undefined, "HEAD is a read");
  assert.equal(server.log[1].headers["Upload-Offset"], String(CHUNK_SIZE));
  assert.equal(server.log[1].body.length, 100);
  assert.equal(progress[0], CHUNK_SIZE);
});

test("HEAD saying every byte arrived (forwarding) completes without a PATCH", async () => {
  const { upload, server } = harness(fileOf(50), [[`HEAD ${URL_1}`, headAnswer(50, 50, "forwarding")]], { url: URL_1 });
  assert.equal(await upload.start(), "complete");
  assert.equal(server.log.length, 1);
});

test("5xx and dropped connections are retried with growing delays, asking HEAD for the offset first", async () => {
  const size = CHUNK_SIZE + 1;
  const { upload, server, sleeps } = harness(fileOf(size), [
    ["POST /api/uploads", created],
    [`PATCH ${URL_1}`, { status: 503, body: envelope("databricks_unavailable") }],
    [`HEAD ${URL_1}`, headAnswer(0, size)],
    [`PATCH ${URL_1}`, "network"],
    [`HEAD ${URL_1}`, headAnswer(CHUNK_SIZE, size)],
    [`PATCH ${URL_1}`, { status: 502 }],
    [`HEAD ${URL_1}`, headAnswer(CHUNK_SIZE, size)],
    [`PATCH ${URL_1}`, patched(size)],
  ]);
  assert.equal(await upload.start(), "complete");
  assert.deepEqual(sleeps, [500, 1000, 2000]);
  assert.equal(server.log.at(-1).headers["Upload-Offset"], String(CHUNK_SIZE), "continued from what the server had");
  assert.equal(server.left(), 0);
});

test("Retry-After of a 429 is honoured; 423 is retried too", async () => {
  const { upload, sleeps } = harness(fileOf(10), [
    ["POST /api/uploads", created],
    [`PATCH ${URL_1}`, { status: 429, headers: { "Retry-After": "3" }, body: envelope("too_many_requests") }],
    [`HEAD ${URL_1}`, headAnswer(0, 10)],
    [`PATCH ${URL_1}`, { status: 423 }],
    [`HEAD ${URL_1}`, headAnswer(0, 10)],
    [`PATCH ${URL_1}`, patched(10)],
  ]);
  assert.equal(await upload.start(), "complete");
  assert.deepEqual(sleeps, [3000, 1000]);
});

test("409 offset mismatch: HEAD at once, then on from the server's offset", async () => {
  const size = 2 * CHUNK_SIZE;
  const { upload, server, sleeps } = harness(fileOf(size), [
    [`HEAD ${URL_1}`, headAnswer(0, size)],
    [`PATCH ${URL_1}`, { status: 409, headers: { "Upload-Offset": String(CHUNK_SIZE) }, body: envelope("offset_mismatch", `Upload-Offset must be ${CHUNK_SIZE}.`) }],
    [`HEAD ${URL_1}`, headAnswer(CHUNK_SIZE, size)],
    [`PATCH ${URL_1}`, patched(size)],
  ], { url: URL_1 });
  assert.equal(await upload.start(), "complete");
  assert.deepEqual(sleeps, [], "no wait for an offset mismatch");
  assert.deepEqual(server.log.filter((e) => e.line.startsWith("PATCH")).map((e) => e.headers["Upload-Offset"]), ["0", String(CHUNK_SIZE)]);
});

test("410 stops with the upload's state; no PATCH follows", async () => {
  const { upload, server } = harness(fileOf(10), [
    [`HEAD ${URL_1}`, { status: 410, headers: { "Upload-State": "cancelled", "Tus-Resumable": "1.0.0" } }],
  ], { url: URL_1 });
  await assert.rejects(upload.start(), (error) => error.status === 410 && error.uploadState === "cancelled" && !error.transient);
  assert.equal(server.log.length, 1);
});

test("other 4xx are never retried and keep the envelope (quota, a refused path)", async () => {
  const quota = harness(fileOf(10), [["POST /api/uploads", { status: 413, body: envelope("quota_exceeded", "Your unfinished uploads would exceed the quota.") }]]);
  await assert.rejects(quota.upload.start(), (error) => error.code === "quota_exceeded" && error.status === 413 && error.requestId === "req-7");
  const refused = harness(fileOf(10), [["POST /api/uploads", created], [`PATCH ${URL_1}`, { status: 403, body: envelope("forbidden") }]]);
  await assert.rejects(refused.upload.start(), (error) => error.code === "forbidden");
  assert.deepEqual(refused.sleeps, []);
  assert.equal(refused.server.log.length, 2);
});

test("a creation whose answer was lost is tried again; after the retries the last error stands", async () => {
  const again = harness(fileOf(3), [["POST /api/uploads", "network"], ["POST /api/uploads", created], [`PATCH ${URL_1}`, patched(3)]]);
  assert.equal(await again.upload.start(), "complete");
  const down = harness(fileOf(3), [["POST /api/uploads", created], ...Array.from({ length: 4 }, () => [[`PATCH ${URL_1}`, { status: 500 }], [`HEAD ${URL_1}`, headAnswer(0, 3)]]).flat(), [`PATCH ${URL_1}`, { status: 500 }]],
    { retries: 4 });
  await assert.rejects(down.upload.start(), (error) => error.status === 500);
  assert.deepEqual(down.sleeps, [500, 1000, 2000, 4000]);
});

test("Upload-Checksum: sha256 of each slice, base64", async () => {
  const size = CHUNK_SIZE + 1000;
  const file = fileOf(size);
  const { upload, server } = harness(file, [["POST /api/uploads", created], [`PATCH ${URL_1}`, patched(CHUNK_SIZE)], [`PATCH ${URL_1}`, patched(size)]],
    { checksum: true });
  assert.equal(await upload.start(), "complete");
  for (const patch of server.log.slice(1)) {
    assert.equal(patch.headers["Upload-Checksum"], `sha256 ${createHash("sha256").update(patch.body).digest("base64")}`);
  }
});

const sha256Of = (bytes) => createHash("sha256").update(bytes).digest("base64");

test("with checksums the next slice is hashed while the current one is on the wire; each PATCH carries its own slice's digest", async () => {
  const size = 2 * CHUNK_SIZE + 1000;
  const hashed = [];
  const hasher = sliceHasher();
  let upload = null;
  const digest = (blob) => {
    hashed.push({ bytes: blob.size, answeredOffset: upload.offset });
    return hasher(blob);
  };
  const run = harness(fileOf(size), [
    ["POST /api/uploads", created], [`PATCH ${URL_1}`, patched(CHUNK_SIZE)], [`PATCH ${URL_1}`, patched(2 * CHUNK_SIZE)], [`PATCH ${URL_1}`, patched(size)],
  ], { checksum: true, digest });
  upload = run.upload;
  assert.equal(await upload.start(), "complete");
  // Every slice hashed once; the second and third while the PATCH before them had no answer yet.
  assert.deepEqual(hashed, [
    { bytes: CHUNK_SIZE, answeredOffset: 0 }, { bytes: CHUNK_SIZE, answeredOffset: 0 }, { bytes: 1000, answeredOffset: CHUNK_SIZE },
  ]);
  for (const patch of run.server.log.slice(1)) assert.equal(patch.headers["Upload-Checksum"], `sha256 ${sha256Of(patch.body)}`);
});

test("a slice hashed ahead is not sent with another slice when the server keeps fewer bytes than were sent", async () => {
  const size = 2 * CHUNK_SIZE, half = CHUNK_SIZE / 2;
  const { upload, server } = harness(fileOf(size), [
    ["POST /api/uploads", created], [`PATCH ${URL_1}`, patched(half)], [`PATCH ${URL_1}`, patched(half + CHUNK_SIZE)], [`PATCH ${URL_1}`, patched(size)],
  ], { checksum: true });
  assert.equal(await upload.start(), "complete");
  assert.deepEqual(server.log.slice(1).map((patch) => patch.headers["Upload-Offset"]), ["0", String(half), String(half + CHUNK_SIZE)]);
  for (const patch of server.log.slice(1)) assert.equal(patch.headers["Upload-Checksum"], `sha256 ${sha256Of(patch.body)}`);
});

test("sliceHasher: calls that share its buffer run one after the other and each gets its own slice's SHA-256", async () => {
  const hasher = sliceHasher();
  const blobs = [fileOf(3 * MiB), fileOf(1024), fileOf(0), fileOf(5 * MiB + 7), fileOf(2 * MiB).slice(100, 200_100)];
  const digests = await Promise.all(blobs.map((blob) => hasher(blob)));
  const expected = await Promise.all(blobs.map(async (blob) => sha256Of(Buffer.from(await blob.arrayBuffer()))));
  assert.deepEqual(digests, expected);
  assert.equal(await hasher(fileOf(0)), sha256Of(Buffer.alloc(0)));
});

test("sliceHasher: a call dropped before its turn is skipped without reading its slice", async () => {
  const hasher = sliceHasher();
  let streamed = 0;
  const watched = Object.assign(fileOf(1024), {});
  watched.stream = () => { streamed += 1; return Blob.prototype.stream.call(watched); };
  const first = hasher(fileOf(2 * MiB));
  const ticket = { dropped: false };
  const skipped = hasher(watched, ticket);
  ticket.dropped = true;
  await assert.rejects(skipped, /dropped/);
  assert.equal(streamed, 0);
  assert.equal(await first, sha256Of(Buffer.from(await fileOf(2 * MiB).arrayBuffer())));
  assert.equal(await hasher(watched), sha256Of(Buffer.from(await watched.arrayBuffer())));
});

test("sliceHasher: where Blob.stream() is no byte stream, the slice is read with arrayBuffer()", async () => {
  const hasher = sliceHasher();
  const real = fileOf(300_000);
  const bytes = new Uint8Array(await real.arrayBuffer());
  const plain = { size: real.size, arrayBuffer: () => real.arrayBuffer(), stream: () => new ReadableStream({ start(controller) { controller.enqueue(bytes); controller.close(); } }) };
  assert.equal(await hasher(plain), sha256Of(bytes));
});

test("sliceHasher: after a read that failed half-way, the next slices (an empty one too) hash correctly", async () => {
  const hasher = sliceHasher();
  const broken = {
    size: 2 * MiB,
    stream: () => new ReadableStream({
      type: "bytes",
      pull(controller) {
        const request = controller.byobRequest;
        if (request.view.byteOffset > 0) return controller.error(new Error("disk went away"));
        request.view.fill(7, 0, 1024);
        request.respond(1024);
      },
    }),
  };
  await assert.rejects(hasher(broken), /disk went away/);
  assert.equal(await hasher(fileOf(0)), sha256Of(Buffer.alloc(0)));
  assert.equal(await hasher(fileOf(3 * MiB)), sha256Of(Buffer.from(await fileOf(3 * MiB).arrayBuffer())));
});

test("sliceHasher: the slice's stream is closed once its bytes are read, not left to the garbage collector", async () => {
  const hasher = sliceHasher();
  let cancelled = false;
  const slice = {
    size: 1000,
    stream: () => new ReadableStream({
      type: "bytes",
      pull(controller) { controller.byobRequest.view.fill(3, 0, 1000); controller.byobRequest.respond(1000); },
      cancel() { cancelled = true; },
    }),
  };
  assert.equal(await hasher(slice), sha256Of(Buffer.alloc(1000, 3)));
  assert.equal(cancelled, true);
});

test("a slice hashed ahead is dropped (its hash skipped if not begun) on pause and when the server's offset moves elsewhere", async () => {
  const size = 2 * CHUNK_SIZE, half = CHUNK_SIZE / 2;
  const hasher = sliceHasher();
  const tickets = [];
  let droppedBeforeTheSliceAfterHalf = null;
  const digest = (blob, ticket) => {
    if (tickets.length === 2) droppedBeforeTheSliceAfterHalf = tickets[1].dropped;
    tickets.push(ticket);
    return hasher(blob, ticket);
  };
  const moved = harness(fileOf(size), [
    ["POST /api/uploads", created], [`PATCH ${URL_1}`, patched(half)], [`PATCH ${URL_1}`, patched(half + CHUNK_SIZE)], [`PATCH ${URL_1}`, patched(size)],
  ], { checksum: true, digest });
  assert.equal(await moved.upload.start(), "complete");
  // The slice from 8 MiB, hashed ahead, is not the one after 4 MiB: dropped before that one is hashed (not queued in front of it).
  assert.equal(droppedBeforeTheSliceAfterHalf, true);
  tickets.length = 0;
  const paused = harness(fileOf(size), [["POST /api/uploads", created], [`PATCH ${URL_1}`, "hold"]], { checksum: true, digest });
  const run = paused.upload.start();
  while (paused.server.log.length < 2) await new Promise((resolve) => setImmediate(resolve));
  paused.upload.pause();
  assert.equal(await run, "paused");
  assert.equal(tickets.length, 2);
  assert.equal(tickets[1]?.dropped, true);
});

test("every upload on the page hashes with one hasher, so one slice buffer serves them all (not 8 MiB per finished upload)", () => {
  const uploads = [new TusUpload(fileOf(10), { checksum: true }), new TusUpload(fileOf(20), { checksum: true })];
  assert.equal(typeof uploads[0].digest, "function");
  assert.equal(uploads[0].digest, uploads[1].digest);
});

test("a pause while a slice is being hashed sends nothing from the paused run; the next run sends each offset once", async () => {
  const size = CHUNK_SIZE + 10;
  const hasher = sliceHasher();
  let release = null;
  let calls = 0;
  const digest = (blob, ticket) => {
    calls += 1;
    if (calls > 1) return hasher(blob, ticket);
    return new Promise((resolve) => { release = () => resolve(hasher(blob)); });
  };
  const { upload, server } = harness(fileOf(size), [
    ["POST /api/uploads", created], [`HEAD ${URL_1}`, headAnswer(0, size)], [`PATCH ${URL_1}`, patched(CHUNK_SIZE)], [`PATCH ${URL_1}`, patched(size)],
  ], { checksum: true, digest });
  const first = upload.start();
  while (release === null) await new Promise((resolve) => setImmediate(resolve));
  upload.pause();
  const second = upload.start();
  while (server.log.length < 2) await new Promise((resolve) => setImmediate(resolve));
  release();
  assert.equal(await first, "paused");
  assert.equal(await second, "complete");
  assert.deepEqual(server.log.map((entry) => entry.line.split(" ")[0]), ["POST", "HEAD", "PATCH", "PATCH"]);
  assert.deepEqual(server.log.slice(2).map((patch) => patch.headers["Upload-Offset"]), ["0", String(CHUNK_SIZE)]);
  for (const patch of server.log.slice(2)) assert.equal(patch.headers["Upload-Checksum"], `sha256 ${sha256Of(patch.body)}`);
});

test("a slice hashed ahead whose hash fails fails that slice's PATCH, and nothing is left unhandled", async () => {
  const unhandled = [];
  const onUnhandled = (reason) => unhandled.push(reason);
  process.on("unhandledRejection", onUnhandled);
  try {
    const hasher = sliceHasher();
    const digest = (blob) => (blob.size === CHUNK_SIZE ? hasher(blob) : Promise.reject(new Error("the file could not be read")));
    const { upload, server } = harness(fileOf(CHUNK_SIZE + 10), [["POST /api/uploads", created], [`PATCH ${URL_1}`, patched(CHUNK_SIZE)]],
      { checksum: true, digest });
    await assert.rejects(upload.start(), /could not be read/);
    assert.equal(server.log.length, 2);
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(unhandled, []);
  } finally {
    process.off("unhandledRejection", onUnhandled);
  }
});

test("a checksum mismatch (460) of a slice of a larger file hashes that slice again and sends it again", async () => {
  const size = CHUNK_SIZE + 10;
  const hasher = sliceHasher();
  const hashed = [];
  const digest = (blob, ticket) => { hashed.push(blob.size); return hasher(blob, ticket); };
  const { upload, server } = harness(fileOf(size), [
    ["POST /api/uploads", created], [`PATCH ${URL_1}`, { status: 460, body: envelope("checksum_mismatch") }],
    [`HEAD ${URL_1}`, headAnswer(0, size)], [`PATCH ${URL_1}`, patched(CHUNK_SIZE)], [`PATCH ${URL_1}`, patched(size)],
  ], { checksum: true, digest });
  assert.equal(await upload.start(), "complete");
  assert.deepEqual(server.log.filter((entry) => entry.line.startsWith("PATCH")).map((patch) => patch.headers["Upload-Offset"]), ["0", "0", String(CHUNK_SIZE)]);
  assert.deepEqual(hashed, [CHUNK_SIZE, 10, CHUNK_SIZE]);
  for (const patch of server.log.filter((entry) => entry.line.startsWith("PATCH"))) {
    assert.equal(patch.headers["Upload-Checksum"], `sha256 ${sha256Of(patch.body)}`);
  }
});

test("a checksum mismatch (460) sends the slice again", async () => {
  const { upload, server } = harness(fileOf(10), [
    ["POST /api/uploads", created], [`PATCH ${URL_1}`, { status: 460, body: envelope("checksum_mismatch") }],
    [`HEAD ${URL_1}`, headAnswer(0, 10)], [`PATCH ${URL_1}`, patched(10)],
  ], { checksum: true });
  assert.equal(await upload.start(), "complete");
  assert.equal(server.log[1].headers["Upload-Checksum"], server.log[3].headers["Upload-Checksum"]);
});

test("pause aborts the PATCH in flight; start again asks HEAD and continues", async () => {
  const size = CHUNK_SIZE + 10;
  const { upload, server } = harness(fileOf(size), [
    ["POST /api/uploads", created], [`PATCH ${URL_1}`, patched(CHUNK_SIZE)], [`PATCH ${URL_1}`, "hold"],
    [`HEAD ${URL_1}`, headAnswer(CHUNK_SIZE, size)], [`PATCH ${URL_1}`, patched(size)],
  ]);
  const first = upload.start();
  while (server.log.length < 3) await new Promise((resolve) => setImmediate(resolve));
  upload.pause();
  assert.equal(await first, "paused");
  assert.equal(await upload.start(), "complete");
  assert.equal(server.left(), 0);
});

test("a pause during a retry's wait ends the wait at once", async () => {
  const server = replay([["POST /api/uploads", created], [`PATCH ${URL_1}`, { status: 503 }]]);
  const upload = new TusUpload(fileOf(10), { XHR: server.XHR, sleep: () => new Promise(() => {}) });
  const run = upload.start();
  while (server.log.length < 2) await new Promise((resolve) => setImmediate(resolve));
  await new Promise((resolve) => setImmediate(resolve));
  upload.pause();
  assert.equal(await run, "paused");
});

test("terminate sends DELETE with the tus and CSRF headers; an upload already gone is fine", async () => {
  const { upload, server } = harness(fileOf(10), [[`DELETE ${URL_1}`, { status: 204 }]], { url: URL_1 });
  await upload.terminate();
  assert.equal(server.log[0].headers["Tus-Resumable"], "1.0.0");
  assert.equal(server.log[0].headers["X-CSRF-Token"], "csrf-1");
  const gone = harness(fileOf(10), [[`DELETE ${URL_1}`, { status: 410 }]], { url: URL_1 });
  await gone.upload.terminate();
  const busy = harness(fileOf(10), [[`DELETE ${URL_1}`, { status: 409, body: envelope("not_cancellable") }]], { url: URL_1 });
  await assert.rejects(busy.upload.terminate(), (error) => error.code === "not_cancellable");
});

test("an empty file still sends its one (empty) PATCH, so the server moves it on", async () => {
  const { upload, server } = harness(fileOf(0), [["POST /api/uploads", created], [`PATCH ${URL_1}`, patched(0)]]);
  assert.equal(await upload.start(), "complete");
  assert.equal(server.log[1].body.length, 0);
});

test("a kept upload of another length is not continued", async () => {
  const { upload } = harness(fileOf(10), [[`HEAD ${URL_1}`, headAnswer(0, 11)]], { url: URL_1 });
  await assert.rejects(upload.start(), (error) => error.code === "not_this_file");
});
