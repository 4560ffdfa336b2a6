/**
 * A fake XMLHttpRequest answered by a function: `answer({ method, url, headers, body })` returns
 * `{ status, headers, body }`, "network" (no answer) or "hold" (in flight until aborted).
 * Every request is logged; upload progress reports half the body, then all of it.
 */
export function fakeXHR(answer) {
  const log = [];
  class FakeXHR {
    constructor() {
      this.upload = {};
      this.requestHeaders = {};
    }
    open(method, url) { Object.assign(this, { method, url }); }
    setRequestHeader(name, value) { this.requestHeaders[name] = value; }
    getResponseHeader(name) {
      const key = Object.keys(this.responseHeaders ?? {}).find((k) => k.toLowerCase() === name.toLowerCase());
      return key === undefined ? null : String(this.responseHeaders[key]);
    }
    abort() { this.onabort?.(); }
    async send(body) {
      const request = { method: this.method, url: this.url, headers: this.requestHeaders, size: body?.size ?? 0 };
      log.push(request);
      await new Promise((resolve) => setImmediate(resolve));
      const reply = await answer(request);
      if (reply === "hold") return;
      if (reply === "network") return this.onerror();
      if (body?.size) {
        this.upload.onprogress?.({ loaded: Math.floor(body.size / 2) });
        this.upload.onprogress?.({ loaded: body.size });
      }
      Object.assign(this, { status: reply.status, responseHeaders: reply.headers ?? {}, responseText: reply.body ?? "" });
      this.onload();
    }
  }
  return { XHR: FakeXHR, log };
}

/** A Storage stand-in (localStorage's methods) that can be told to refuse writes. */
export function memoryStorage() {
  const map = new Map();
  return {
    refuse: false,
    getItem: (key) => (map.has(key) ? map.get(key) : null),
    setItem(key, value) {
      if (this.refuse) throw new Error("QuotaExceededError");
      map.set(key, String(value));
    },
    removeItem: (key) => map.delete(key),
    map,
  };
}

/** Lets pending promise callbacks and immediates run. */
export const settle = async (rounds = 5) => {
  for (let i = 0; i < rounds; i += 1) await new Promise((resolve) => setImmediate(resolve));
};
