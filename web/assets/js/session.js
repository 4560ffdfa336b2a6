/** The signed-in user: who, which organization, the CSRF token, and signing out. */

/** Where the browser goes after signing out when the provider names no end-session page. */
const SIGNED_OUT_PAGE = "/assets/signed-out.html";

/**
 * `GET /api/me` → `{ csrf_token, organization: { id, name, slug }, session: { created_at, expires_at },
 * user: { id, email, name } }`; the client is given the CSRF token for every later write.
 */
export async function loadMe(client) {
  const me = await client.get("/api/me", { cache: false });
  client.setCsrfToken(me.csrf_token);
  return me;
}

/**
 * `POST /auth/logout` with the CSRF token, then on to the provider's end-session page. The server
 * answers 303 to that page (unreadable to fetch: "opaqueredirect") or 200 `{ logged_out, next }`.
 */
export async function signOut(client) {
  const answer = await client.send("POST", "/auth/logout", { redirect: "manual" });
  location.assign(answer?.next ?? SIGNED_OUT_PAGE);
}
