/**
 * The SQL text editor: CodeMirror 5 with Spark SQL highlighting, one document per tab, keys
 * (Ctrl/Cmd+Enter run, Esc cancel, Ctrl/Cmd+S keep the draft, Ctrl+Space complete), lazy
 * completion from the metadata source, and what to run (selection, else the statement at the cursor).
 */
import { complete } from "./completion.js";
import { statementAt } from "./split.js";

const MODE = "text/x-sparksql";

/** Keywords and type names of the Spark SQL mode, for completion. */
function modeKeywords(CodeMirror) {
  const mode = CodeMirror.resolveMode(MODE);
  return [...Object.keys(mode.keywords ?? {}), ...Object.keys(mode.builtin ?? {})];
}

/** The async hint function CodeMirror's show-hint calls, backed by `complete()`. */
function hintFunction(CodeMirror, source, keywords) {
  const hint = (cm, callback, options) => {
    const cursor = cm.getCursor();
    const before = cm.getLine(cursor.line).slice(0, cursor.ch);
    const statement = statementAt(cm.getValue(), cm.indexFromPos(cursor))?.text ?? "";
    complete({ before, statement, keywords, source, explicit: Boolean(options?.explicit) }).then((result) => {
      if (!result) return callback(null);
      callback({
        from: CodeMirror.Pos(cursor.line, result.from), to: CodeMirror.Pos(cursor.line, result.to),
        list: result.list.map((item) => ({ text: item.text, displayText: `${item.displayText}  ${item.kind}`, className: `ff-hint-${item.kind}` })),
      });
    });
  };
  hint.async = true;
  return hint;
}

/**
 * Creates the editor in `textarea`'s place. `actions`: `{ run, cancel, save, change }`.
 * Returns `{ cm, useDoc(id, text), runTarget(), select(from, to), focus() }`.
 */
export function createEditor(CodeMirror, textarea, { source, actions }) {
  const keywords = modeKeywords(CodeMirror);
  const hint = hintFunction(CodeMirror, source, keywords);
  const cm = CodeMirror.fromTextArea(textarea, {
    mode: MODE, lineNumbers: true, indentUnit: 2, smartIndent: true, lineWrapping: false,
    screenReaderLabel: "SQL statement editor. Control Enter runs, Escape cancels.",
    hintOptions: { hint, completeSingle: false },
    extraKeys: {
      "Ctrl-Enter": () => actions.run(), "Cmd-Enter": () => actions.run(),
      Esc: () => actions.cancel(), "Ctrl-S": () => actions.save(), "Cmd-S": () => actions.save(),
      "Ctrl-Space": (editor) => editor.showHint({ hint, completeSingle: false, explicit: true }),
      // Tab leaves the editor (no keyboard trap); indentation comes from Enter's smart indent.
      Tab: false, "Shift-Tab": false,
    },
  });
  cm.on("inputRead", (editor, change) => {
    if (!editor.state.completionActive && /[\w.`]$/.test(change.text.join(""))) editor.showHint({ hint, completeSingle: false });
  });
  cm.on("changes", () => actions.change(cm.getValue()));

  const docs = new Map();
  return {
    cm,
    /** Shows tab `id`'s document (created from `text` the first time). */
    useDoc(id, text) {
      if (!docs.has(id)) docs.set(id, CodeMirror.Doc(text, MODE));
      cm.swapDoc(docs.get(id));
    },
    dropDoc: (id) => docs.delete(id),
    /** What Run runs: `{ text, start }` for the selection, else the statement at the cursor, else null. */
    runTarget() {
      const selection = cm.getSelection();
      if (selection.trim()) return { text: selection, start: cm.indexFromPos(cm.getCursor("from")) };
      const range = statementAt(cm.getValue(), cm.indexFromPos(cm.getCursor()));
      return range && { text: range.text, start: range.start };
    },
    /** Selects text between two offsets of the document and scrolls to it. */
    select(from, to) {
      cm.setSelection(cm.posFromIndex(from), cm.posFromIndex(to));
      cm.scrollIntoView(null, 60);
      cm.focus();
    },
    focus: () => cm.focus(),
  };
}
