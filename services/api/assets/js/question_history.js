// The questions asked in this browser tab, newest first, kept in sessionStorage.

import { el } from './dom.js';

const STORAGE_KEY = 'analyst.history';
const MAX_ENTRIES = 30;

/** `[{ jobId, question, datasource, editedSql, askedAt }]`, newest first. */
export function loadHistory() {
  try {
    const entries = JSON.parse(sessionStorage.getItem(STORAGE_KEY) || '[]');
    return Array.isArray(entries) ? entries.filter((entry) => entry && entry.jobId && entry.question) : [];
  } catch {
    return [];
  }
}

/** Adds an entry at the top and returns the new list. */
export function addToHistory(entry) {
  const entries = [entry, ...loadHistory().filter((existing) => existing.jobId !== entry.jobId)].slice(0, MAX_ENTRIES);
  sessionStorage.setItem(STORAGE_KEY, JSON.stringify(entries));
  return entries;
}

/** Draws the list; `onPick(entry)` runs when one is chosen. */
export function renderHistory(list, emptyNote, entries, currentJobId, onPick) {
  emptyNote.hidden = entries.length > 0;
  list.replaceChildren(
    ...entries.map((entry) => {
      const time = new Date(entry.askedAt).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
      const meta = `${entry.datasource} · ${time}${entry.editedSql ? ' · edited SQL' : ''}`;
      return el(
        'li',
        {},
        el(
          'button',
          {
            type: 'button',
            className: 'history-item',
            'aria-current': entry.jobId === currentJobId ? 'true' : null,
            onclick: () => onPick(entry),
          },
          entry.question,
          el('span', { className: 'history-meta' }, meta),
        ),
      );
    }),
  );
}
