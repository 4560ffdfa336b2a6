/**
 * Uploads (/uploads?path=<folder>): pick or drop several files for a volume or DBFS folder (typed,
 * or arrived at from a volume's "Upload here"); each file's two phases of progress (to FireFly,
 * then to Databricks) with Pause, Resume, Cancel, Retry and Replace; uploads remembered after a
 * reload waiting for their file; the user's recent uploads. The uploads belong to the page load,
 * not to this page: they go on while the user looks elsewhere.
 */
import { fill, h, setTitle, showPage, syncKeyed } from "../dom.js";
import { formatBytes } from "../format.js";
import { reportError, showToast } from "../notify.js";
import { uploadsPath, volumePath } from "../router.js";
import { createJobItem, updateJobItem } from "../uploads/job-view.js";
import { recentTable, renderPending, renderRecent } from "../uploads/recent-view.js";
import { createResumeStore, sameFile } from "../uploads/resume-store.js";
import { defaultDbfsFolder, parseTarget } from "../uploads/target.js";
import { createUploadManager } from "../uploads/upload-manager.js";
import { SMALL_UPLOAD_LIMIT } from "../uploads/upload-job.js";

let manager = null;

/** The page load's upload manager (made on first visit; warns before a reload would stop a send). */
function managerFor(client, me) {
  if (manager) return manager;
  manager = createUploadManager({
    client, XHR: XMLHttpRequest, now: () => performance.now(), setTimeout: (...args) => setTimeout(...args),
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    store: createResumeStore(localStorage, me.user?.email ?? `user-${me.user?.id}`),
  });
  addEventListener("beforeunload", (event) => {
    if (!manager.busy()) return;
    event.preventDefault();
    event.returnValue = "";
  });
  addEventListener("online", () => manager.online());
  return manager;
}

/** Files of a drop, without folders (a dropped folder arrives as an unreadable empty "file"). */
function droppedFiles(dataTransfer) {
  const items = [...(dataTransfer.items ?? [])];
  const files = [...dataTransfer.files];
  if (items.length !== files.length) return { files, folders: 0 };
  const folders = items.filter((item) => item.webkitGetAsEntry?.()?.isDirectory).length;
  return { files: files.filter((_, i) => !items[i].webkitGetAsEntry?.()?.isDirectory), folders };
}

const section = (id, title, ...content) => h("section", { class: "mb-4", "aria-labelledby": id },
  h("h2", { id, class: "h6 text-uppercase text-muted" }, title), ...content);

/** Mounts `/uploads`. */
export function mount(main, { client, me, query }) {
  setTitle("Uploads");
  const uploads = managerFor(client, me);
  const dbfsExample = defaultDbfsFolder(me.organization?.slug ?? "<organization>");

  const targetInput = h("input", {
    id: "upload-target", type: "text", class: "form-control", value: query.get("path") ?? "", autocomplete: "off", spellcheck: "false",
    placeholder: "/Volumes/catalog/schema/volume/folder", "aria-describedby": "upload-target-help upload-target-error",
  });
  const browse = h("a", { class: "btn btn-outline-secondary", hidden: true }, "Open folder");
  const targetError = h("div", { id: "upload-target-error", class: "text-danger small mt-1", "aria-live": "polite" });
  const fileInput = h("input", { id: "upload-files", type: "file", multiple: true, class: "form-control" });
  // Native checkboxes: Bootstrap's .form-check-input draws its tick from a data: URL, which the CSP blocks.
  const overwrite = h("input", { id: "upload-overwrite", type: "checkbox", class: "ff-check" });
  const verify = h("input", { id: "upload-verify", type: "checkbox", class: "ff-check", "aria-describedby": "upload-verify-help" });
  const dropZone = h("div", { class: "ff-dropzone" },
    h("p", { class: "mb-2" }, "Drop files here, or choose them:"),
    h("label", { for: "upload-files", class: "form-label fw-semibold" }, "Choose files"),
    fileInput);
  const jobList = h("ul", { class: "list-group ff-uploads", "aria-labelledby": "uploads-session" });
  const jobsEmpty = h("p", { class: "text-muted" }, "Files you pick or drop appear here with their progress.");
  const pendingList = h("ul", { class: "list-group", "aria-labelledby": "uploads-pending" });
  const pendingSection = section("uploads-pending", "Waiting for their file",
    h("p", { class: "small text-muted" }, "These uploads stopped before every byte arrived (a reload, a closed tab, a lost connection). Pick the same file again to continue where it stopped."),
    pendingList);
  const resumeInput = h("input", { type: "file", hidden: true });
  const recent = recentTable();
  const recentStatus = h("div", {});
  const announcer = h("div", { class: "visually-hidden", role: "status" });

  showPage(main, "Uploads",
    section("uploads-form", "Upload files",
      h("div", { class: "mb-3 ff-narrow" },
        h("label", { for: "upload-target", class: "form-label" }, "Upload to folder"),
        h("div", { class: "input-group" }, targetInput, browse),
        h("div", { id: "upload-target-help", class: "form-text" },
          "A volume folder (/Volumes/catalog/schema/volume/folder) or a DBFS folder (", h("code", {}, dbfsExample), "/…). ",
          "Open a volume in the explorer and choose “Upload here”, or type the folder."),
        targetError),
      h("div", { class: "ff-narrow" }, dropZone,
        h("div", { class: "mt-3" }, overwrite, h("label", { for: "upload-overwrite" }, "Replace files that already exist")),
        h("div", {}, verify, h("label", { for: "upload-verify" }, "Verify SHA-256"),
          h("div", { id: "upload-verify-help", class: "form-text mt-0 ff-check-help" }, "Checks every piece on the way and reads the file back from Databricks afterwards (slower).")),
        h("p", { class: "form-text" }, `Files of ${formatBytes(SMALL_UPLOAD_LIMIT)} or more go in resumable pieces: pause and resume them, even after a reload.`))),
    section("uploads-session", "This session", jobsEmpty, jobList),
    pendingSection,
    section("uploads-recent", "Recent uploads", recentStatus, h("div", { class: "table-responsive" }, recent.table)),
    resumeInput, announcer);

  /** The typed folder, checked; shows what is wrong, keeps the URL and the "Open folder" link in step. */
  function currentTarget({ report = false } = {}) {
    const text = targetInput.value.trim();
    const target = parseTarget(text);
    const problem = text || report ? target.error ?? "" : "";
    targetError.textContent = problem;
    targetInput.classList.toggle("ff-invalid", Boolean(problem));
    targetInput.setAttribute("aria-invalid", String(Boolean(problem)));
    browse.hidden = target.kind !== "volume";
    if (target.kind === "volume") browse.setAttribute("href", volumePath(target.catalog, target.schema, target.volume, target.folder));
    return target.error ? null : target;
  }

  function start(files) {
    if (files.length === 0) return;
    const target = currentTarget({ report: true });
    if (!target) return targetInput.focus();
    const refused = uploads.add(files, { target, overwrite: overwrite.checked, verify: verify.checked });
    for (const { file, problem } of refused) showToast({ title: `${file.name} not uploaded`, message: problem, variant: "danger" });
    announcer.textContent = `${files.length - refused.length} ${files.length - refused.length === 1 ? "file" : "files"} added to the uploads.`;
  }

  targetInput.addEventListener("input", () => {
    const target = currentTarget();
    if (target || !targetInput.value.trim()) history.replaceState(null, "", uploadsPath(target?.text ?? null));
  });
  fileInput.addEventListener("change", () => {
    start([...fileInput.files]);
    fileInput.value = "";
  });

  // Drag and drop: the zone takes the files; elsewhere on the page a drop does nothing (instead of
  // the browser leaving the application to show the file).
  const onDragOver = (event) => {
    if (![...(event.dataTransfer?.types ?? [])].includes("Files")) return;
    event.preventDefault();
    const inZone = dropZone.contains(event.target);
    event.dataTransfer.dropEffect = inZone ? "copy" : "none";
    dropZone.classList.toggle("ff-drop-active", inZone);
  };
  const onDrop = (event) => {
    if (![...(event.dataTransfer?.types ?? [])].includes("Files")) return;
    event.preventDefault();
    dropZone.classList.remove("ff-drop-active");
    if (!dropZone.contains(event.target)) return;
    const { files, folders } = droppedFiles(event.dataTransfer);
    if (folders) showToast({ title: "Folders are not uploaded", message: "Drop the files inside a folder instead of the folder itself.", variant: "info" });
    start(files);
  };
  const onDragLeave = (event) => {
    if (!dropZone.contains(event.relatedTarget)) dropZone.classList.remove("ff-drop-active");
  };
  document.addEventListener("dragover", onDragOver);
  document.addEventListener("drop", onDrop);
  dropZone.addEventListener("dragleave", onDragLeave);

  // Resuming a remembered upload: the same file, picked again, continues into its folder.
  let resuming = null;
  resumeInput.addEventListener("change", () => {
    const file = resumeInput.files[0], entry = resuming;
    resumeInput.value = "";
    if (!file || !entry) return;
    if (!sameFile(entry, file)) {
      showToast({ title: "Not the same file", message: `Pick ${entry.name} (${formatBytes(entry.size)}), the file this upload started with.`, variant: "danger" });
      return;
    }
    uploads.add([file], { target: parseTarget(entry.folder), overwrite: entry.overwrite, verify: entry.verify });
  });
  const pendingHandlers = {
    onPick: (entry) => { resuming = entry; resumeInput.click(); },
    onDiscard: (entry) => uploads.discard(entry).catch((error) => reportError(error, { title: `Could not discard ${entry.name}` })),
  };
  const recentHandlers = {
    onPage: new Set(),
    onAction: (upload, action) => {
      const call = action === "Retry" ? uploads.retryUpload(upload.id) : uploads.cancelUpload(upload.id);
      call.catch((error) => reportError(error, { title: `${action} failed` }));
    },
  };

  const announced = new Map();
  const onJobAction = (id, action) => uploads.act(id, action).catch((error) => reportError(error, { title: `${action} failed` }));

  /** Draws the jobs, the pending and the recent uploads (batched to one frame). */
  let frame = 0, listFailed = false;
  function draw() {
    frame = 0;
    const jobs = uploads.jobs();
    jobsEmpty.hidden = jobs.length > 0;
    syncKeyed(jobList, jobs, (job) => job.id, (job) => createJobItem(job, onJobAction), (item, job) => {
      updateJobItem(item, job);
      announce(job);
    });
    const pending = uploads.pending();
    pendingSection.hidden = pending.length === 0;
    renderPending(pendingList, pending, pendingHandlers);
    recentHandlers.onPage = new Set(jobs.map((job) => job.uploadId).filter(Boolean));
    const list = uploads.recent();
    const error = uploads.recentError();
    if (!error) {
      listFailed = false;
      fill(recentStatus, list && list.length === 0 ? h("p", { class: "text-muted" }, "You have not uploaded anything yet.") : null);
    } else if (!listFailed) {
      // Once per outage: polling meets the same failure every second.
      listFailed = true;
      reportError(error, { target: list ? null : recentStatus, title: "Could not list your uploads", retry: () => uploads.refresh() });
    }
    renderRecent(recent.body, list ?? [], recentHandlers);
    recent.table.hidden = !list?.length;
  }

  /** Tells screen readers when an upload finished or failed (once each). */
  function announce(job) {
    if (announced.get(job.id) === job.phase) return;
    const first = !announced.has(job.id);
    announced.set(job.id, job.phase);
    if (first) return;
    if (job.phase === "done") announcer.textContent = `${job.name} uploaded.`;
    if (job.phase === "failed") announcer.textContent = `${job.name}: ${job.error?.message ?? "failed"}`;
  }

  const scheduleDraw = () => { frame ||= requestAnimationFrame(draw); };
  const unsubscribe = uploads.subscribe(scheduleDraw);
  currentTarget();
  draw();

  return () => {
    unsubscribe();
    cancelAnimationFrame(frame);
    document.removeEventListener("dragover", onDragOver);
    document.removeEventListener("drop", onDrop);
  };
}
