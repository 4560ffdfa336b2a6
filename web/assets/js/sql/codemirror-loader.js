/** Loads CodeMirror 5 (Debian's libjs-codemirror, served at /javascript/codemirror/) once, on first use. */

const BASE = "/javascript/codemirror";
const STYLES = [`${BASE}/lib/codemirror.css`, `${BASE}/addon/hint/show-hint.css`];
const SCRIPTS = [`${BASE}/lib/codemirror.js`, `${BASE}/mode/sql/sql.js`, `${BASE}/addon/hint/show-hint.js`];

let loading = null;

function addStyle(href) {
  const link = document.createElement("link");
  link.rel = "stylesheet";
  link.href = href;
  document.head.append(link);
}

/** Adds a classic script and resolves once it ran (these UMD files set the global CodeMirror). */
function addScript(src) {
  return new Promise((resolve, reject) => {
    const script = document.createElement("script");
    script.src = src;
    script.onload = resolve;
    script.onerror = () => reject(new Error(`Could not load ${src}.`));
    document.head.append(script);
  });
}

/** Resolves with the global CodeMirror, the mode and the hint addon loaded in order. */
export function loadCodeMirror() {
  loading ||= (async () => {
    STYLES.forEach(addStyle);
    for (const src of SCRIPTS) await addScript(src);
    return window.CodeMirror;
  })();
  return loading;
}
