/** The page frame: the signed-in user (and signing out), the user menu, the navigation's current section. */
import { h } from "./dom.js";
import { reportError } from "./notify.js";

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
async function signOut(client) {
  const answer = await client.send("POST", "/auth/logout", { redirect: "manual" });
  location.assign(answer?.next ?? SIGNED_OUT_PAGE);
}

/** A disclosure menu: the button toggles it; Escape or a click elsewhere closes it. */
function disclosure(button, menu) {
  const setOpen = (open) => {
    button.setAttribute("aria-expanded", String(open));
    menu.classList.toggle("show", open);
  };
  button.addEventListener("click", () => setOpen(button.getAttribute("aria-expanded") !== "true"));
  menu.addEventListener("keydown", (event) => {
    if (event.key !== "Escape") return;
    setOpen(false);
    button.focus();
  });
  document.addEventListener("click", (event) => {
    if (!button.contains(event.target) && !menu.contains(event.target)) setOpen(false);
  });
}

/** Fills the header's user area: organization and email, with sign-out behind the menu button. */
export function renderUserMenu(container, me, client) {
  const email = me.user?.email ?? me.user?.name ?? "Signed in";
  const button = h("button", {
    type: "button", class: "btn btn-sm btn-outline-light dropdown-toggle", "aria-expanded": "false", "aria-controls": "user-menu-list",
  }, h("span", { class: "ff-org" }, me.organization?.name ?? ""), " · ", email);
  const signOutButton = h("button", { type: "button", class: "dropdown-item" }, "Sign out");
  signOutButton.addEventListener("click", () => signOut(client).catch((error) => reportError(error, { title: "Sign-out failed" })));
  const menu = h("ul", { id: "user-menu-list", class: "dropdown-menu dropdown-menu-end" },
    h("li", {}, h("span", { class: "dropdown-item-text small" }, me.user?.name ?? email)),
    h("li", {}, h("span", { class: "dropdown-item-text small text-muted" }, `Organization: ${me.organization?.name ?? "none"}`)),
    h("li", {}, h("hr", { class: "dropdown-divider" })),
    h("li", {}, signOutButton));
  disclosure(button, menu);
  container.replaceChildren(h("div", { class: "dropdown" }, button, menu));
}

/** The navigation section a route belongs to. */
export function sectionOf(routeName) {
  if (["catalogs", "catalog", "schema", "table", "volume", "home"].includes(routeName)) return "catalog";
  if (routeName === "app") return "apps";
  return routeName;
}

/** Marks the current section's link with aria-current="page". */
export function markSection(nav, section) {
  for (const link of nav.querySelectorAll("a[data-section]")) {
    const current = link.dataset.section === section;
    link.classList.toggle("active", current);
    if (current) link.setAttribute("aria-current", "page");
    else link.removeAttribute("aria-current");
  }
}
