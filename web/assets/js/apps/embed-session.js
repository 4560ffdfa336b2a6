/**
 * Keeping an embedded app's frame signed in, without any DOM. An embed URL (`POST
 * /api/apps/{name}/embed` → `{ url, origin, expires_at }`) can be opened once, until `expires_at`
 * (epoch seconds); the app proxy then keeps the token in a cookie of the app's origin. So:
 *   - while the frame has not loaded its URL, a new one is minted shortly before `expires_at`;
 *   - once loaded, the cookie carries on; when the embed also says `token_expires_at` (when that
 *     cookie ends), a new URL is minted shortly before it;
 *   - when the proxy's "expired" page in the frame posts `{ type: "firefly-app-expired" }`, a new
 *     URL is minted and loaded (at most once per 10 s);
 *   - three failed attempts in a row (mint errors, or a fresh URL refused at once) end in an error
 *     the page shows with "Try again".
 * Time, timers and the mint call are injected (tested in Node).
 */

export const REMINT_LEAD_MS = 60_000;
export const MIN_DELAY_MS = 5_000;
export const MIN_GAP_MS = 10_000;
export const MAX_FAILURES = 3;
const RETRY_MS = [2_000, 5_000];

/** Milliseconds from `now` until a URL expiring at `expiresAt` (epoch seconds) is replaced: a minute before, at least 5 s from now. */
export function remintDelay(expiresAt, now) {
  return Math.max(expiresAt * 1000 - REMINT_LEAD_MS - now, MIN_DELAY_MS);
}

/** True for the proxy's "this app link expired" message from the frame (right origin, right window). */
export function isExpiredMessage(event, origin, frameWindow) {
  return Boolean(origin) && event.origin === origin && event.source === frameWindow && event.data?.type === "firefly-app-expired";
}

/** `mint()` resolves an embed or rejects with an ApiError; `onUrl(embed)` loads it; `onError(error)` after the last attempt. */
export function createEmbedSession({ mint, onUrl, onError, now, setTimeout, clearTimeout }) {
  let embed = null, loaded = false, timer = null, failures = 0, lastMint = -Infinity, minting = false, stopped = false;

  const clear = () => {
    if (timer !== null) clearTimeout(timer);
    timer = null;
  };
  const later = (ms, reason) => {
    clear();
    timer = setTimeout(() => {
      timer = null;
      attempt(reason);
    }, ms);
  };

  function failed(error) {
    failures += 1;
    if (failures >= MAX_FAILURES || error.transient === false) {
      clear();
      onError(error);
      return;
    }
    later(RETRY_MS[Math.min(failures - 1, RETRY_MS.length - 1)], "retry");
  }

  async function attempt(reason) {
    if (stopped || minting) return;
    clear();
    minting = true;
    lastMint = now();
    try {
      const next = await mint(reason);
      if (stopped) return;
      embed = next;
      loaded = false;
      onUrl(next);
      later(remintDelay(next.expires_at, now()), "before-expiry");
    } catch (error) {
      if (!stopped) failed(error);
    } finally {
      minting = false;
    }
  }

  return {
    /** Mints the first URL. */
    start: () => attempt("open"),
    /** The app's origin (messages from anywhere else are ignored). */
    origin: () => embed?.origin ?? null,
    /** The frame loaded the current URL: it is used; only the cookie's end (when known) needs a new one. */
    frameLoaded() {
      if (loaded || !embed) return;
      loaded = true;
      clear();
      if (embed.token_expires_at) later(remintDelay(embed.token_expires_at, now()), "before-token-expiry");
    },
    /** The frame says its link expired: a new URL, unless one was minted in the last 10 s. */
    expired() {
      if (stopped || minting) return;
      const since = now() - lastMint;
      if (since >= MIN_GAP_MS) {
        failures = 0;
        return attempt("expired");
      }
      // A URL minted moments ago was refused already: that attempt failed.
      failures += 1;
      if (failures >= MAX_FAILURES) {
        clear();
        return onError({ status: 401, code: "app_link_refused", transient: false, message: "The app keeps refusing the links FireFly makes for it." });
      }
      later(MIN_GAP_MS - since, "expired");
    },
    /** "Try again" after the error: counts start afresh. */
    retry() {
      failures = 0;
      return attempt("retry");
    },
    stop() {
      stopped = true;
      clear();
    },
  };
}
