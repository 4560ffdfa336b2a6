/**
 * Databricks Apps as the list shows them (pure): the state to show (compute first when it is not
 * active, else the app's own), when it was last deployed, and the API paths.
 * `GET /api/apps` passes Databricks' answer through: `{ apps: [{ name, description, url,
 * app_status: { state, message }, compute_status: { state, message }, active_deployment: {
 * deployment_id, create_time, update_time, status }, update_time, … }], next_page_token }`.
 */

const PAGE_SIZE = 50;

/** `GET /api/apps` for one page. */
export function appsListPath(pageToken = null) {
  const query = new URLSearchParams({ page_size: String(PAGE_SIZE) });
  if (pageToken) query.set("page_token", pageToken);
  return `/api/apps?${query}`;
}

/** `POST /api/apps/{name}/embed` → `{ url, origin, expires_at }`. */
export const embedPath = (name) => `/api/apps/${encodeURIComponent(name)}/embed`;

const words = (state) => state.charAt(0) + state.slice(1).toLowerCase().replaceAll("_", " ");

const COMPUTE_BADGE = { STOPPED: "text-bg-secondary", STOPPING: "text-bg-secondary", DELETING: "text-bg-secondary", ERROR: "text-bg-danger", STARTING: "text-bg-info", UPDATING: "text-bg-info" };
const APP_BADGE = { RUNNING: "text-bg-success", DEPLOYING: "text-bg-info", CRASHED: "text-bg-danger", UNAVAILABLE: "text-bg-warning" };

/** `{ label, badge, running, message }` of an app: its compute's state unless that is ACTIVE, else the app's. */
export function appState(app) {
  const compute = app?.compute_status?.state, own = app?.app_status?.state;
  if (compute && compute !== "ACTIVE") {
    return { label: words(compute), badge: COMPUTE_BADGE[compute] ?? "text-bg-light", running: false, message: app.compute_status.message || "" };
  }
  if (own) return { label: words(own), badge: APP_BADGE[own] ?? "text-bg-light", running: own === "RUNNING", message: app.app_status.message || "" };
  return { label: "Unknown", badge: "text-bg-light", running: false, message: "" };
}

/** When the app was last deployed (its active deployment), else last updated; null when unknown. */
export function lastDeployed(app) {
  return app?.active_deployment?.update_time ?? app?.active_deployment?.create_time ?? app?.update_time ?? null;
}

/** The items of a list answer and the next page's token. */
export function appsPage(body) {
  return { apps: body?.apps ?? [], nextPageToken: body?.next_page_token || null };
}
