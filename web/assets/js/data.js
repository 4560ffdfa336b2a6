/**
 * The data layer every page uses: cached GETs with a stale time, one request for identical
 * in-flight GETs, refetch of stale watched keys on focus, retries with backoff for transient
 * failures, the CSRF header on writes, and one place that reacts to an expired session.
 * Everything outside JavaScript itself (fetch, timers, clock) is injected, so Node tests drive it.
 */
import { ApiError, errorFromResponse, networkError, retryDelay, shouldRetry } from "./errors.js";

const WRITE_METHODS = new Set(["POST", "PUT", "PATCH", "DELETE"]);

/** Creates a client; `onUnauthorized` runs once when any call answers 401. */
export function createDataClient({
  fetch, setTimeout, now = Date.now, random = Math.random, staleTime = 30_000, onUnauthorized = () => {},
}) {
  const cache = new Map(); // key → { data, fetchedAt }
  const inflight = new Map(); // key → Promise
  const watchers = new Map(); // key → Set of listeners
  let csrfToken = null;
  let unauthorized = false;

  const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

  /** Turns a 401 into the login redirect (once) and an error the callers need not show. */
  function rejectUnauthorized(error) {
    if (!unauthorized) {
      unauthorized = true;
      onUnauthorized();
    }
    throw error;
  }

  async function readBody(response) {
    if (response.type === "opaqueredirect" || response.status === 204) return null;
    const text = await response.text();
    return text ? JSON.parse(text) : null;
  }

  /** One GET with up to MAX_RETRIES retries for network errors, 5xx and 429. */
  async function fetchWithRetry(path) {
    for (let attempt = 0; ; attempt += 1) {
      let error;
      try {
        const response = await fetch(path, { credentials: "same-origin", headers: { Accept: "application/json" } });
        if (response.ok) return await readBody(response);
        error = await errorFromResponse(response);
      } catch (thrown) {
        error = thrown instanceof ApiError ? thrown : networkError();
      }
      if (error.status === 401) return rejectUnauthorized(error);
      if (!shouldRetry(error, attempt)) throw error;
      await sleep(retryDelay(error, attempt, random));
    }
  }

  function isFresh(key, maxAge) {
    const entry = cache.get(key);
    return entry !== undefined && now() - entry.fetchedAt < maxAge;
  }

  /** GET `path` as JSON: from the cache while fresh, else one shared request. `cache: false` skips storing. */
  function get(path, { maxAge = staleTime, cache: store = true } = {}) {
    if (store && isFresh(path, maxAge)) return Promise.resolve(cache.get(path).data);
    if (inflight.has(path)) return inflight.get(path);
    const request = fetchWithRetry(path)
      .then((data) => {
        if (store) cache.set(path, { data, fetchedAt: now() });
        return data;
      })
      .finally(() => inflight.delete(path));
    inflight.set(path, request);
    return request;
  }

  /** The CSRF header a write must carry (for callers that send with XHR themselves: uploads). */
  const csrfHeaders = () => (csrfToken ? { "X-CSRF-Token": csrfToken } : {});

  /**
   * A state-changing call (never retried) with the CSRF token; JSON body in, JSON (or null) out.
   * `headers` adds to the defaults (e.g. `Tus-Resumable` on an upload's DELETE).
   */
  async function send(method, path, { body, redirect, headers: extra = {} } = {}) {
    const headers = { Accept: "application/json", ...extra };
    if (WRITE_METHODS.has(method)) Object.assign(headers, csrfHeaders());
    if (body !== undefined) headers["Content-Type"] = "application/json";
    let response;
    try {
      response = await fetch(path, {
        method, headers, credentials: "same-origin", redirect,
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch {
      throw networkError();
    }
    if (response.ok || response.type === "opaqueredirect") return readBody(response);
    const error = await errorFromResponse(response);
    return error.status === 401 ? rejectUnauthorized(error) : Promise.reject(error);
  }

  /** Calls `listener({data})` or `listener({error})` now and after every refetch; returns the unsubscribe. */
  function watch(path, listener) {
    if (!watchers.has(path)) watchers.set(path, new Set());
    watchers.get(path).add(listener);
    deliver(path, [listener]);
    return () => {
      watchers.get(path)?.delete(listener);
      if (watchers.get(path)?.size === 0) watchers.delete(path);
    };
  }

  function deliver(path, listeners) {
    get(path).then(
      (data) => listeners.forEach((listener) => listener({ data })),
      (error) => listeners.forEach((listener) => listener({ error })),
    );
  }

  /** Refetches every watched key whose data is stale (the window regained focus). */
  function refetchStale() {
    for (const [path, listeners] of watchers) {
      if (!isFresh(path, staleTime)) deliver(path, [...listeners]);
    }
  }

  /** Drops cached entries whose key starts with `prefix` (all of them without one). */
  function invalidate(prefix = "") {
    for (const key of [...cache.keys()]) if (key.startsWith(prefix)) cache.delete(key);
  }

  return {
    get, send, watch, refetchStale, invalidate, csrfHeaders,
    peek: (path) => cache.get(path)?.data,
    setCsrfToken: (token) => { csrfToken = token; },
    /** For calls made outside the client (XHR uploads): a 401 goes to the same login redirect. */
    unauthorized: (error) => {
      try {
        rejectUnauthorized(error);
      } catch { /* the caller keeps its own error */ }
    },
  };
}
