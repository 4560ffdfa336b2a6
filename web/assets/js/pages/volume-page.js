/**
 * A volume folder (/catalog/c/s/volumes/v[/folder…]): its folders and files (name, size, modified),
 * folder navigation by links, a download link per file (the server answers with an attachment; no
 * bytes pass through the page), delete after a confirmation dialog, and "Upload here".
 */
import { copyText, fill, h, icon, setTitle, showPage } from "../dom.js";
import { fileUrl, filesListPath, listingPage, sortEntries } from "../files/listing.js";
import { formatBytes, formatTime, toDate } from "../format.js";
import { reportError, showToast } from "../notify.js";
import { catalogPath, uploadsPath, volumePath } from "../router.js";
import { volumeFolderText } from "../uploads/target.js";

/** The trail from the catalog to this folder; the last step is the current page. */
function breadcrumb({ catalog, schema, volume, folder }) {
  const steps = [
    [catalog, catalogPath(catalog)], [schema, catalogPath(catalog, schema)], [volume, volumePath(catalog, schema, volume)],
    ...folder.map((name, i) => [name, volumePath(catalog, schema, volume, folder.slice(0, i + 1))]),
  ];
  return h("nav", { "aria-label": "Folder" }, h("ol", { class: "breadcrumb mb-2" }, steps.map(([name, href], i) => (i === steps.length - 1
    ? h("li", { class: "breadcrumb-item active", "aria-current": "page" }, name)
    : h("li", { class: "breadcrumb-item" }, h("a", { href }, name))))));
}

/** The confirmation dialog of a delete; resolves true when the user confirmed. */
function confirmDelete(dialog, path) {
  const text = dialog.querySelector("#delete-text");
  text.replaceChildren(h("code", { class: "ff-wrap" }, path), " will be deleted from Databricks. This cannot be undone.");
  dialog.returnValue = "";
  dialog.showModal();
  return new Promise((resolve) => dialog.addEventListener("close", () => resolve(dialog.returnValue === "delete"), { once: true }));
}

function deleteDialog() {
  const keep = h("button", { type: "button", class: "btn btn-outline-secondary", autofocus: true }, "Keep the file");
  const remove = h("button", { type: "button", class: "btn btn-danger" }, "Delete");
  const dialog = h("dialog", { class: "ff-dialog", "aria-labelledby": "delete-title", "aria-describedby": "delete-text" },
    h("h2", { id: "delete-title", class: "h5" }, "Delete this file?"),
    h("p", { id: "delete-text" }),
    h("div", { class: "d-flex gap-2 justify-content-end" }, keep, remove));
  keep.addEventListener("click", () => dialog.close("keep"));
  remove.addEventListener("click", () => dialog.close("delete"));
  return dialog;
}

/** Mounts a volume folder's page. */
export function mount(main, { route, client }) {
  const { catalog, schema, volume, folder } = route.params;
  const folderText = volumeFolderText(catalog, schema, volume, folder);
  const title = folder.at(-1) ?? volume;
  setTitle(title, `${catalog}.${schema}.${volume}`);

  const body = h("tbody", {});
  const table = h("table", { class: "table table-sm table-hover align-middle ff-files", hidden: true, tabindex: "-1" },
    h("caption", { class: "visually-hidden" }, `Folders and files in ${folderText}`),
    h("thead", {}, h("tr", {}, ["Name", "Size", "Modified"].map((name) => h("th", { scope: "col" }, name)),
      h("th", { scope: "col" }, h("span", { class: "visually-hidden" }, "Actions")))),
    body);
  const status = h("div", {}, h("p", { class: "text-muted" }, "Loading…"));
  const footer = h("div", {});
  const announcer = h("div", { class: "visually-hidden", role: "status" });
  const dialog = deleteDialog();
  const copy = h("button", { type: "button", class: "btn btn-sm btn-outline-secondary" }, "Copy path");
  const refresh = h("button", { type: "button", class: "btn btn-sm btn-outline-secondary" }, "Refresh");

  const page = showPage(main, h("span", {}, icon("folder2"), title),
    h("div", { class: "d-flex flex-wrap align-items-center gap-2 mb-3" },
      h("code", { class: "ff-wrap me-2" }, folderText),
      h("a", { class: "btn btn-sm btn-primary", href: uploadsPath(folderText) }, "Upload here"), copy, refresh),
    status, h("div", { class: "table-responsive" }, table), footer, announcer, dialog);
  page.querySelector("h1").before(breadcrumb(route.params));

  let items = [], generation = 0;

  function row(entry) {
    const modified = toDate(entry.modified_at);
    if (entry.is_directory) {
      return h("tr", {},
        h("td", {}, h("a", { href: volumePath(catalog, schema, volume, [...folder, entry.name]) }, icon("folder2"), entry.name)),
        h("td", {}, h("span", { class: "text-muted" }, "folder")),
        h("td", { class: "small text-nowrap" }, modified ? formatTime(modified.getTime()) : ""),
        h("td", {}));
    }
    const path = `${folderText}/${entry.name}`;
    const remove = h("button", { type: "button", class: "btn btn-sm btn-outline-danger" }, "Delete", h("span", { class: "visually-hidden" }, ` ${entry.name}`));
    remove.addEventListener("click", () => deleteFile(entry, path, remove));
    return h("tr", {},
      h("td", {}, h("span", { class: "ff-wrap" }, icon("file-earmark"), entry.name)),
      h("td", { class: "text-nowrap" }, formatBytes(entry.size ?? 0)),
      h("td", { class: "small text-nowrap" }, modified ? formatTime(modified.getTime()) : ""),
      h("td", { class: "text-nowrap text-end" },
        h("a", { class: "btn btn-sm btn-outline-secondary me-1", href: fileUrl(path), download: entry.name },
          "Download", h("span", { class: "visually-hidden" }, ` ${entry.name}`)),
        remove));
  }

  function draw() {
    const sorted = sortEntries(items);
    table.hidden = sorted.length === 0;
    fill(body, sorted.map(row));
  }

  async function load(pageToken = null) {
    const mine = generation;
    fill(footer, h("p", { class: "text-muted" }, "Loading…"));
    try {
      const page = listingPage(await client.get(filesListPath(folderText, pageToken), { cache: false }));
      if (mine !== generation) return;
      items = pageToken ? [...items, ...page.items] : page.items;
      draw();
      fill(status, items.length === 0 && !page.nextPageToken
        ? h("p", { class: "text-muted" }, "This folder is empty. Choose “Upload here” to add files.") : null);
      fill(footer, page.nextPageToken
        ? h("button", { type: "button", class: "btn btn-sm btn-outline-secondary", onclick: () => load(page.nextPageToken) }, "Load more")
        : null);
      announcer.textContent = `${items.length} ${items.length === 1 ? "entry" : "entries"} shown.`;
    } catch (error) {
      if (mine !== generation) return;
      fill(footer);
      if (error.status === 404) {
        fill(status, h("div", { class: "alert alert-warning", role: "alert" },
          h("div", { class: "fw-semibold" }, "This folder does not exist"),
          h("div", {}, error.message, " "),
          folder.length ? h("a", { href: volumePath(catalog, schema, volume) }, `Open the volume ${volume}`) : h("a", { href: catalogPath(catalog, schema) }, `Back to ${catalog}.${schema}`)));
        return;
      }
      reportError(error, { target: status, title: "Could not list this folder", retry: () => load(pageToken) });
    }
  }

  async function deleteFile(entry, path, button) {
    const confirmed = await confirmDelete(dialog, path);
    if (!confirmed) return button.focus();
    try {
      await client.send("DELETE", fileUrl(path));
      items = items.filter((item) => item !== entry);
      draw();
      showToast({ title: "File deleted", message: path, variant: "success" });
      announcer.textContent = `${entry.name} deleted.`;
      (body.querySelector("a, button") ?? main).focus();
      if (items.length === 0) fill(status, h("p", { class: "text-muted" }, "This folder is empty. Choose “Upload here” to add files."));
    } catch (error) {
      reportError(error, { title: `Could not delete ${entry.name}` });
      button.focus();
    }
  }

  copy.addEventListener("click", async () => {
    const copied = await copyText(folderText);
    showToast({ title: copied ? "Path copied" : "Folder path", message: folderText, variant: "info" });
  });
  refresh.addEventListener("click", () => {
    generation += 1;
    load();
  });
  load();
  return () => {
    generation += 1;
    if (dialog.open) dialog.close();
  };
}
