// An editable, syntax-highlighted SQL box: a real <textarea> (so typing, selection, undo,
// screen readers and keyboard use are the browser's own) whose text is transparent, laid
// exactly over a <pre> holding the highlighted copy.

import { el } from './dom.js';
import { highlightInto } from './sql_highlight.js';

/**
 * Builds the editor inside `container`. `onRun` is called on Ctrl+Enter (or Cmd+Enter).
 * Returns `{ getValue, setValue, focus, textarea }`.
 */
export function createSqlEditor(container, { labelledBy, describedBy, onRun }) {
  const highlight = el('pre', { className: 'sql-highlight', 'aria-hidden': 'true' });
  const textarea = el('textarea', {
    className: 'sql-input',
    id: 'sql-input',
    spellcheck: 'false',
    autocomplete: 'off',
    autocapitalize: 'off',
    wrap: 'soft',
    placeholder: 'SELECT …  (write a read-only query that answers the question)',
    'aria-labelledby': labelledBy,
    'aria-describedby': describedBy,
  });
  const editor = el('div', { className: 'sql-editor' }, highlight, textarea);
  container.replaceChildren(editor);

  const refresh = () => {
    highlightInto(highlight, textarea.value);
    fitHeight(textarea);
    highlight.scrollTop = textarea.scrollTop;
  };
  textarea.addEventListener('input', refresh);
  textarea.addEventListener('scroll', () => {
    highlight.scrollTop = textarea.scrollTop;
  });
  textarea.addEventListener('keydown', (event) => {
    if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      onRun();
    }
  });
  // Refit when the width changes (line wrapping changes); deferred a frame so the resize the
  // refit causes is not reported back into this same observer callback.
  let lastWidth = 0;
  new ResizeObserver((entries) => {
    const width = entries[0].contentRect.width;
    if (width === lastWidth) return;
    lastWidth = width;
    requestAnimationFrame(() => fitHeight(textarea));
  }).observe(editor);

  return {
    textarea,
    getValue: () => textarea.value,
    setValue(sql) {
      textarea.value = sql;
      refresh();
    },
    focus: () => textarea.focus(),
  };
}

/** Grows the textarea to its content so it never scrolls apart from the highlighted copy. */
function fitHeight(textarea) {
  textarea.style.height = 'auto';
  textarea.style.height = `${textarea.scrollHeight + 2}px`;
}
