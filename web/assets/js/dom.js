/** Building DOM without innerHTML (no markup injection, no inline style under the CSP), and the page frame. */

/** Appends children: strings become text, arrays are flattened, null/false are skipped. */
function append(element, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    element.append(child instanceof Node ? child : String(child));
  }
}

/** Sets one property: `class`, `on…` listeners, else an attribute (`true` as an empty one). */
function setProp(element, key, value) {
  if (value === null || value === undefined || value === false) return;
  if (key === "class") element.className = value;
  else if (key.startsWith("on") && typeof value === "function") element.addEventListener(key.slice(2).toLowerCase(), value);
  else element.setAttribute(key, value === true ? "" : String(value));
}

/** Replaces an element's children (null and false skipped, unlike `replaceChildren`, which writes "null"). */
export function fill(element, ...children) {
  element.replaceChildren();
  append(element, children);
  return element;
}

/** `h("button", { class: "btn", onclick }, "Run")`: an element with properties and children. */
export function h(tag, props = {}, ...children) {
  const element = document.createElement(tag);
  for (const [key, value] of Object.entries(props ?? {})) setProp(element, key, value);
  append(element, children);
  return element;
}

/** A decorative Bootstrap icon (served by nginx from the Debian package at /icons/). */
export function icon(name, className = "ff-icon") {
  return h("img", { src: `/icons/${name}.svg`, alt: "", class: className, width: 16, height: 16 });
}

/**
 * A small "×" close button. (Bootstrap's .btn-close draws its cross from a data: URL, which the
 * CSP's default-src 'self' blocks.)
 */
export function closeButton(label, className = "") {
  return h("button", { type: "button", class: `ff-close ${className}`.trim(), "aria-label": label }, h("span", { "aria-hidden": "true" }, "×"));
}

/** Copies text to the clipboard; resolves to whether it worked. */
export async function copyText(text) {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    return false;
  }
}

/**
 * Makes `parent`'s children match `items` in order, one element per key (`data-key`): elements
 * are made once by `create(item)`, brought up to date by `update(element, item)` on every call, and
 * moved only when their order changes, so focus inside them survives a refresh.
 */
export function syncKeyed(parent, items, keyOf, create, update) {
  const existing = new Map([...parent.children].map((child) => [child.dataset.key, child]));
  items.forEach((item, index) => {
    const key = String(keyOf(item));
    let element = existing.get(key);
    if (element) existing.delete(key);
    else {
      element = create(item);
      element.dataset.key = key;
    }
    update(element, item);
    if (parent.children[index] !== element) parent.insertBefore(element, parent.children[index] ?? null);
  });
  for (const stale of existing.values()) stale.remove();
}

/** Sets the window title: "part · part · FireFly". */
export function setTitle(...parts) {
  document.title = [...parts, "FireFly"].join(" · ");
}

/** A page: a heading (the page's h1) followed by its content, replacing what `main` showed. */
export function showPage(main, heading, ...content) {
  const page = h("div", { class: "ff-page" }, h("h1", { class: "h4 mb-3" }, heading), ...content);
  main.replaceChildren(page);
  return page;
}
