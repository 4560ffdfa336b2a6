/**
 * The SQL editor page (/sql/<tab>): tabs, the editor, Run and Cancel with a status line, and the
 * result of each tab's last run. One workspace lives for the whole page load, so runs and
 * results survive visits to other pages.
 */
import { h, setTitle } from "../dom.js";
import { navigate, sqlPath } from "../router.js";
import { showToast, reportError } from "../notify.js";
import { loadCodeMirror } from "../sql/codemirror-loader.js";
import { createEditor } from "../sql/editor.js";
import { metadataSource } from "../sql/metadata-source.js";
import { tabsStore, takeRunOnOpen } from "../sql/open-tab.js";
import { createResultStore } from "../sql/result-store.js";
import { createResultView } from "../sql/result-view.js";
import { statusText } from "../sql/run-status.js";
import { errorOffset } from "../sql/statement-error.js";
import { runStatement } from "../sql/statement-run.js";
import { renderTabBar } from "../sql/tab-bar.js";

const SAVE_DELAY_MS = 800;
const TICK_MS = 100;
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

let workspace = null;

/** Builds the workspace: elements first, then the editor once CodeMirror has loaded. */
function createWorkspace({ client, me }) {
  const store = tabsStore(me);
  const runs = new Map(); // tab id → { phase, answer, store, error, runner, startedAt, finishedAt, start, text }
  let activeId = null, editor = null, saveTimer = 0, ticker = 0;

  const tabBar = h("div", { class: "ff-tabbar" });
  const textarea = h("textarea", { "aria-label": "SQL statement" });
  const editorWrap = h("div", { class: "ff-editor-wrap" }, textarea);
  const runButton = h("button", { type: "button", class: "btn btn-primary btn-sm", title: "Ctrl+Enter / ⌘↵" }, "Run ", h("kbd", { class: "ff-kbd" }, "Ctrl+↵"));
  const cancelButton = h("button", { type: "button", class: "btn btn-outline-danger btn-sm", disabled: true, title: "Esc" }, "Cancel");
  const catalogInput = h("input", { id: "sql-catalog", class: "form-control form-control-sm ff-default", placeholder: "catalog", autocomplete: "off", spellcheck: "false" });
  const schemaInput = h("input", { id: "sql-schema", class: "form-control form-control-sm ff-default", placeholder: "schema", autocomplete: "off", spellcheck: "false" });
  const defaults = h("div", { class: "ff-defaults", title: "Used for names without a catalog or schema" },
    h("label", { for: "sql-catalog", class: "small" }, "Default catalog"), catalogInput,
    h("label", { for: "sql-schema", class: "small" }, "schema"), schemaInput);
  const status = h("span", { class: "ff-status small" });
  const announcer = h("span", { class: "visually-hidden", role: "status" });
  const resultHost = h("section", { class: "ff-results", "aria-label": "Result" });
  const root = h("div", { class: "ff-sql" },
    h("h1", { class: "visually-hidden" }, "SQL editor"), tabBar, editorWrap,
    h("div", { class: "ff-toolbar" }, runButton, cancelButton, status, announcer, defaults), resultHost);
  const results = createResultView(resultHost, client, { onShowPosition: showPosition });

  const currentRun = () => runs.get(activeId) ?? null;

  /** Updates the status line; state changes are announced, the ticking seconds are not. */
  function renderStatus() {
    const run = currentRun();
    const text = statusText(run, Date.now());
    status.textContent = text;
    const words = text.replace(/[\d.,]+ (s|min).*$/, "").trim();
    if (announcer.textContent !== words) announcer.textContent = words;
    const running = run?.phase === "running";
    cancelButton.disabled = !running || Boolean(run.cancelling);
    runButton.disabled = running;
    if (running && !ticker) ticker = setInterval(renderStatus, TICK_MS);
    if (!running && ticker) {
      clearInterval(ticker);
      ticker = 0;
    }
  }

  function renderTabs() {
    renderTabBar(tabBar, {
      tabs: store.tabs(), active: activeId,
      onAdd: () => navigate(sqlPath(store.add().id)),
      onClose: closeTab,
      onRename: (id, title) => { store.rename(id, title); renderTabs(); setTitle(store.get(id).title, "SQL"); },
    });
  }

  function closeTab(id) {
    runs.get(id)?.runner?.cancel().catch(() => null);
    runs.delete(id);
    editor?.dropDoc(id);
    const next = store.close(id);
    if (id === activeId) navigate(sqlPath(next), { replace: true });
    else renderTabs();
  }

  function keepDraft({ announce }) {
    clearTimeout(saveTimer);
    if (activeId && editor) store.setSql(activeId, editor.cm.getValue());
    const saved = store.save();
    if (!saved) showToast({ title: "Draft not kept", message: "The browser refused to store it (storage full or disabled). Copy your SQL somewhere safe.", variant: "danger" });
    else if (announce) showToast({ title: "Draft kept", message: "It survives a reload and your next sign-in on this browser.", variant: "success" });
  }

  /** The POST body: the statement, with the tab's default catalog and schema when set. */
  function statementRequest(statement) {
    const catalog = catalogInput.value.trim(), schema = schemaInput.value.trim();
    return { statement, ...(catalog && { catalog }), ...(schema && { schema }) };
  }

  function run() {
    const target = editor?.runTarget();
    if (!target || currentRun()?.phase === "running") return;
    const tabId = activeId;
    const entry = { phase: "running", answer: null, startedAt: Date.now(), start: target.start, text: target.text };
    const refresh = () => { if (tabId === activeId) { renderStatus(); results.render(entry); } };
    entry.runner = runStatement(client, statementRequest(target.text), { sleep, onUpdate: (answer) => { entry.answer = answer; refresh(); } });
    runs.set(tabId, entry);
    refresh();
    entry.runner.done.then((answer) => {
      Object.assign(entry, { phase: "done", answer, finishedAt: Date.now() });
      if (answer.status?.state === "SUCCEEDED") entry.store = createResultStore(answer);
    }, (error) => Object.assign(entry, { phase: "error", error, finishedAt: Date.now() })).finally(refresh);
  }

  function cancel() {
    const entry = currentRun();
    if (entry?.phase !== "running" || entry.cancelling) return;
    entry.cancelling = true;
    renderStatus();
    entry.runner.cancel().catch((error) => {
      entry.cancelling = false;
      renderStatus();
      reportError(error, { title: "Cancel failed; try again" });
    });
  }

  /** Selects the failing text in the editor (when the run's tab is open). */
  function showPosition(entry, failure) {
    const text = editor.cm.getValue();
    if (text.slice(entry.start, entry.start + entry.text.length) !== entry.text) {
      showToast({ title: "Statement changed", message: `The error is at line ${failure.line}, position ${failure.column} of the statement as it was run.` });
      return;
    }
    const offset = errorOffset(text, entry.start, failure.line, failure.column);
    editor.select(offset, Math.min(offset + 1, text.length));
  }

  /** Shows tab `id` (its tabs, status and last run; the editor follows in `show`), or goes to the active tab. */
  function open(id) {
    if (!id || !store.get(id)) {
      if (id) showToast({ title: "Tab not found", message: "That query tab is not open in this browser; here is your current tab." });
      navigate(sqlPath(store.active()), { replace: true });
      return false;
    }
    activeId = id;
    store.setActive(id);
    setTitle(store.get(id).title, "SQL");
    catalogInput.value = store.get(id).catalog ?? "";
    schemaInput.value = store.get(id).schema ?? "";
    renderTabs();
    results.render(currentRun());
    renderStatus();
    return true;
  }

  const actions = {
    run, cancel, save: () => keepDraft({ announce: true }),
    change: (value) => {
      store.setSql(activeId, value);
      clearTimeout(saveTimer);
      saveTimer = setTimeout(() => keepDraft({ announce: false }), SAVE_DELAY_MS);
    },
  };
  const keepDefaults = () => store.setDefaults(activeId, { catalog: catalogInput.value, schema: schemaInput.value });
  catalogInput.addEventListener("change", keepDefaults);
  schemaInput.addEventListener("change", keepDefaults);
  runButton.addEventListener("click", run);
  cancelButton.addEventListener("click", cancel);
  root.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && !event.target.closest(".CodeMirror, input")) cancel();
    if ((event.ctrlKey || event.metaKey) && event.key === "s") {
      event.preventDefault();
      actions.save();
    }
  });
  addEventListener("beforeunload", () => keepDraft({ announce: false }));

  const ready = loadCodeMirror().then((CodeMirror) => {
    editor = createEditor(CodeMirror, textarea, { source: metadataSource(client), actions });
    new ResizeObserver(() => editor.cm.setSize(null, editorWrap.clientHeight)).observe(editorWrap);
  }, (error) => editorWrap.replaceChildren(h("div", { class: "alert alert-danger" }, `The editor could not load: ${error.message} Reload the page to try again.`)));

  return {
    root,
    async show(tabId) {
      if (!open(tabId)) return;
      await ready;
      if (!editor || activeId !== tabId) return;
      editor.useDoc(tabId, store.get(tabId).sql);
      editor.cm.refresh();
      if (takeRunOnOpen(tabId)) run();
    },
  };
}

/** Mounts `/sql` or `/sql/<tab>`. */
export function mount(main, { route, client, me }) {
  workspace ||= createWorkspace({ client, me });
  main.replaceChildren(workspace.root);
  workspace.show(route.params.tab);
}
