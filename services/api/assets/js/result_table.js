// The result rows as a table: sortable by any column (click or Enter/Space on its header),
// 25 rows a page, numbers right-aligned, NULL shown as such, and the truncation notice.

import { clear, el } from './dom.js';

const NUMERIC_TYPES = new Set(['integer', 'float']);

/**
 * Draws `resultSet` ({columns, rows, truncated, total_rows}) into `container`.
 * Returns `{ sortedRows }`, whose function gives the rows in the order shown (for CSV export).
 */
export function renderResultTable(container, resultSet, { pageSize = 25 } = {}) {
  const columns = resultSet.columns || [];
  const rows = resultSet.rows || [];
  const state = { sortColumn: null, descending: false, page: 0 };

  const notice = truncationNotice(resultSet);
  const table = el('table', { className: 'result' });
  const caption = el('caption', { className: 'visually-hidden' });
  const thead = el('thead');
  const tbody = el('tbody');
  table.append(caption, thead, tbody);
  const scroll = el('div', { className: 'table-scroll', tabindex: '0', 'aria-label': 'Result rows' }, table);
  const pageInfo = el('span', { className: 'page-info', 'aria-live': 'polite' });
  const previousButton = el('button', { type: 'button', className: 'button-secondary button-small' }, 'Previous page');
  const nextButton = el('button', { type: 'button', className: 'button-secondary button-small' }, 'Next page');
  const footer = el('div', { className: 'table-footer' }, pageInfo, el('div', { className: 'button-row' }, previousButton, nextButton));
  clear(container);
  if (notice) container.append(notice);
  container.append(scroll, footer);

  const sortedRows = () => {
    if (state.sortColumn === null) return rows;
    const columnIdx = state.sortColumn;
    const numeric = NUMERIC_TYPES.has(columns[columnIdx].column_type);
    const direction = state.descending ? -1 : 1;
    return rows
      .map((row, rowIdx) => ({ row, rowIdx }))
      .sort((left, right) => {
        const order = compareValues(left.row[columnIdx], right.row[columnIdx], numeric, direction);
        return order !== 0 ? order : left.rowIdx - right.rowIdx;
      })
      .map(({ row }) => row);
  };

  const draw = () => {
    const nPages = Math.max(1, Math.ceil(rows.length / pageSize));
    state.page = Math.min(state.page, nPages - 1);
    drawHeader();
    const first = state.page * pageSize;
    const pageRows = sortedRows().slice(first, first + pageSize);
    tbody.replaceChildren(
      ...pageRows.map((row) =>
        el('tr', {}, ...columns.map((column, columnIdx) => valueCell(row[columnIdx], column))),
      ),
    );
    if (rows.length === 0) {
      tbody.append(el('tr', {}, el('td', { colspan: String(Math.max(1, columns.length)) }, 'The query returned no rows.')));
    }
    const last = Math.min(first + pageSize, rows.length);
    pageInfo.textContent = rows.length === 0
      ? 'No rows'
      : `Rows ${first + 1}–${last} of ${rows.length} · page ${state.page + 1} of ${nPages}`;
    caption.textContent = `Result, ${pageInfo.textContent}`;
    previousButton.disabled = state.page === 0;
    nextButton.disabled = state.page >= nPages - 1;
  };

  const drawHeader = () => {
    thead.replaceChildren(
      el('tr', {}, ...columns.map((column, columnIdx) => {
        const sorted = state.sortColumn === columnIdx;
        const ariaSort = sorted ? (state.descending ? 'descending' : 'ascending') : 'none';
        const indicator = sorted ? (state.descending ? '▼' : '▲') : '↕';
        const button = el(
          'button',
          {
            type: 'button',
            className: 'sort-button',
            'aria-label': `${column.name}, ${column.column_type}; sort ${sorted && !state.descending ? 'descending' : 'ascending'}`,
            onclick: () => {
              state.descending = sorted ? !state.descending : false;
              state.sortColumn = columnIdx;
              state.page = 0;
              draw();
              thead.querySelectorAll('.sort-button')[columnIdx].focus();
            },
          },
          el('span', {}, column.name, ' ', el('span', { className: 'column-type' }, column.column_type)),
          el('span', { className: 'sort-indicator', 'aria-hidden': 'true' }, indicator),
        );
        return el('th', { scope: 'col', 'aria-sort': ariaSort }, button);
      })),
    );
  };

  previousButton.addEventListener('click', () => {
    state.page -= 1;
    draw();
  });
  nextButton.addEventListener('click', () => {
    state.page += 1;
    draw();
  });
  draw();
  return { sortedRows };
}

function valueCell(value, column) {
  const numeric = NUMERIC_TYPES.has(column.column_type);
  if (value === null || value === undefined) {
    return el('td', { className: numeric ? 'numeric' : '' }, el('span', { className: 'null-value' }, 'NULL'));
  }
  const text = typeof value === 'object' ? JSON.stringify(value) : String(value);
  return el('td', { className: numeric ? 'numeric' : '', title: text.length > 40 ? text : null }, text);
}

/** Nulls last whatever the direction; numbers by value; everything else as natural text. */
function compareValues(left, right, numeric, direction) {
  const leftNull = left === null || left === undefined;
  const rightNull = right === null || right === undefined;
  if (leftNull || rightNull) return leftNull === rightNull ? 0 : leftNull ? 1 : -1;
  if (numeric || (typeof left === 'number' && typeof right === 'number')) {
    return (Number(left) - Number(right)) * direction;
  }
  return String(left).localeCompare(String(right), undefined, { numeric: true, sensitivity: 'base' }) * direction;
}

function truncationNotice(resultSet) {
  if (!resultSet.truncated) return null;
  const kept = (resultSet.rows || []).length;
  const total = resultSet.total_rows;
  const detail = typeof total === 'number' && total > kept
    ? `The query produced ${total.toLocaleString('en')} rows; only the first ${kept.toLocaleString('en')} were kept.`
    : `The query produced more rows than the row limit; only the first ${kept.toLocaleString('en')} were kept.`;
  return el(
    'div',
    { className: 'alert alert-warn truncation-notice', role: 'note' },
    el('strong', {}, 'Truncated result'),
    el('p', {}, `${detail} Add a filter or an aggregate to see everything; the CSV download has the kept rows only.`),
  );
}
