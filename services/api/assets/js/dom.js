// Small DOM helpers. Text always goes in through text nodes, never through innerHTML, so data
// from the API (questions, column names, values, messages) can never become markup.

/**
 * Creates an element with attributes and children (strings become text nodes).
 * Attribute values of `false`, `null` and `undefined` are skipped; `true` sets an empty attribute.
 */
export function el(tagName, attributes = {}, ...children) {
  const element = document.createElement(tagName);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === false || value === null || value === undefined) continue;
    if (name === 'className') element.className = value;
    else if (name.startsWith('on') && typeof value === 'function') element.addEventListener(name.slice(2), value);
    else element.setAttribute(name, value === true ? '' : String(value));
  }
  append(element, children);
  return element;
}

/** Appends children (elements, strings, arrays of either; null is skipped). */
export function append(parent, children) {
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    parent.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

/** Removes every child of `element`. */
export function clear(element) {
  element.replaceChildren();
}

/** Shows or hides `element` with the `hidden` attribute. */
export function show(element, visible) {
  element.hidden = !visible;
}

/** Offers `text` to the user as a file download. */
export function downloadText(filename, text, mimeType) {
  downloadBlob(filename, new Blob([text], { type: mimeType }));
}

/** Offers a blob to the user as a file download. */
export function downloadBlob(filename, blob) {
  const url = URL.createObjectURL(blob);
  const link = el('a', { href: url, download: filename });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** A file name made from free text: lowercase words joined by dashes, at most 60 characters. */
export function fileStem(text) {
  const stem = text.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 60);
  return stem || 'result';
}
