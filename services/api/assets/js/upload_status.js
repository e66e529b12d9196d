// Draws one upload (UploadView from GET /v1/uploads/{id}): a sentence about where it is, the
// files of the archive with their table, rows and result (a refused file with its error on a
// row of its own), the skipped entries, and the loaded tables with row counts and columns.

import { el } from './dom.js';

/** Status pill text of an upload, and of the page's own phases before the server has one. */
export const UPLOAD_STATUS_LABELS = {
  sending: 'Sending',
  refused: 'Not sent',
  queued: 'Queued',
  validating: 'Checking files',
  loading: 'Loading tables',
  succeeded: 'Loaded',
  failed: 'Failed',
};

const FILE_STATUS_LABELS = {
  pending: 'waiting',
  checking: 'checking…',
  passed: '✓ passed',
  failed: '✗ failed',
};

/** Columns listed under a table; the rest are counted. */
const MAX_COLUMNS_SHOWN = 24;

/** One sentence about where the upload is (shown, and announced to screen readers). */
export function describeUploadProgress(uploadView) {
  const files = uploadView.files || [];
  const nDone = files.filter((file) => file.status === 'passed' || file.status === 'failed').length;
  switch (uploadView.status) {
    case 'queued':
      return 'Received; waiting to be checked.';
    case 'validating':
      return files.length > 0 ? `Checking files: ${nDone} of ${files.length} done.` : 'Checking files.';
    case 'loading':
      return 'All files passed; loading the tables.';
    case 'succeeded': {
      const tables = uploadView.tables || [];
      return `Loaded ${plural(tables.length, 'table')} into ${uploadView.datasource}.`;
    }
    case 'failed':
      return uploadView.failure && uploadView.failure.entry
        ? `Failed at ${uploadView.failure.entry}.`
        : 'Failed.';
    default:
      return '';
  }
}

/** The details of `uploadView`: its files, skipped entries and loaded tables. */
export function renderUploadDetails(uploadView) {
  return [renderTables(uploadView), renderFiles(uploadView)].filter(Boolean);
}

function renderFiles(uploadView) {
  const files = uploadView.files || [];
  const skipped = uploadView.skipped_entries || [];
  if (files.length === 0 && skipped.length === 0) return null;
  const rows = files.flatMap((file, fileIdx) => fileRows(file, fileIdx));
  return el('section', { className: 'card', 'aria-labelledby': 'upload-files-heading' },
    el('h3', { className: 'card-heading', id: 'upload-files-heading' }, `Files (${files.length})`),
    files.length > 0
      ? el('div', { className: 'table-scroll' },
        el('table', { id: 'upload-files', className: 'result upload-files', 'aria-labelledby': 'upload-files-heading' },
          el('thead', {}, el('tr', {},
            el('th', { scope: 'col' }, 'File'),
            el('th', { scope: 'col' }, 'Table'),
            el('th', { scope: 'col', className: 'numeric' }, 'Rows'),
            el('th', { scope: 'col' }, 'Status'))),
          el('tbody', {}, ...rows)))
      : null,
    skipped.length > 0
      ? el('p', { className: 'help-text', id: 'upload-skipped' }, `Skipped (not CSV): ${skipped.join(', ')}`)
      : null);
}

function fileRows(file, fileIdx) {
  const errorId = `upload-file-error-${fileIdx}`;
  const hasRows = file.n_rows !== null && file.n_rows !== undefined;
  const row = el('tr', {
    className: `upload-file upload-file-${file.status}`,
    'data-entry': file.entry,
    'data-status': file.status,
  },
  el('td', { className: 'upload-file-entry', 'aria-describedby': file.error ? errorId : null }, file.entry),
  el('td', {}, file.table || '—'),
  el('td', { className: 'numeric' }, hasRows ? formatCount(file.n_rows) : '—'),
  el('td', { className: 'upload-file-status' }, FILE_STATUS_LABELS[file.status] || file.status));
  if (!file.error) return [row];
  const errorRow = el('tr', { className: 'upload-file-error-row', 'data-error-for': file.entry },
    el('td', { colspan: '4' }, el('span', { className: 'upload-file-error', id: errorId }, `Error: ${file.error}`)));
  return [row, errorRow];
}

function renderTables(uploadView) {
  const tables = uploadView.tables || [];
  if (uploadView.status !== 'succeeded' || tables.length === 0) return null;
  return el('section', { className: 'card', 'aria-labelledby': 'upload-tables-heading' },
    el('h3', { className: 'card-heading', id: 'upload-tables-heading' }, `Tables in ${uploadView.datasource}`),
    el('ul', { id: 'upload-tables', className: 'upload-tables', 'aria-labelledby': 'upload-tables-heading' },
      ...tables.map((table) => {
        const columns = table.columns || [];
        const shown = columns.slice(0, MAX_COLUMNS_SHOWN).map((column) =>
          el('li', { title: column.original_name ? `"${column.original_name}" in the file` : null },
            el('code', {}, column.name), ' ', el('span', { className: 'column-type' }, column.data_type)));
        if (columns.length > MAX_COLUMNS_SHOWN) shown.push(el('li', {}, `+${columns.length - MAX_COLUMNS_SHOWN} more`));
        return el('li', { className: 'upload-table', 'data-table': table.name, 'data-rows': String(table.n_rows) },
          el('span', { className: 'upload-table-name' }, table.name),
          el('span', { className: 'upload-table-rows' }, `${plural(table.n_rows, 'row')}${table.replaced ? ', replaced' : ''}`),
          shown.length > 0 ? el('ul', { className: 'upload-table-columns', 'aria-label': `Columns of ${table.name}` }, ...shown) : null);
      })));
}

function plural(count, noun) {
  return `${formatCount(count)} ${noun}${count === 1 ? '' : 's'}`;
}

/** `1,234`. */
export function formatCount(count) {
  return Number(count).toLocaleString('en-US');
}

/** `512 B`, `1.2 kB`, `3.4 MB` (powers of 1000, as file managers show them). */
export function formatBytes(nBytes) {
  const units = ['B', 'kB', 'MB', 'GB', 'TB'];
  let value = nBytes;
  let unitIdx = 0;
  while (value >= 999.95 && unitIdx < units.length - 1) {
    value /= 1000;
    unitIdx += 1;
  }
  if (unitIdx === 0) return `${nBytes} B`;
  return `${value.toFixed(value < 10 ? 1 : 0)} ${units[unitIdx]}`;
}
