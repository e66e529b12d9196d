// CSV of a result set, built in the browser (RFC 4180: CRLF line ends, quotes doubled).

/**
 * CSV text of `columns` ({name}) and `rows` (arrays of JSON values). Text cells that a
 * spreadsheet would run as a formula (starting with =, +, -, @, tab or CR) get a leading
 * apostrophe, so opening a downloaded file never executes data.
 */
export function toCsv(columns, rows) {
  const lines = [columns.map((column) => csvCell(column.name)).join(',')];
  for (const row of rows) {
    lines.push(row.map(csvCell).join(','));
  }
  return `${lines.join('\r\n')}\r\n`;
}

function csvCell(value) {
  if (value === null || value === undefined) return '';
  let text = typeof value === 'object' ? JSON.stringify(value) : String(value);
  if (typeof value === 'string' && /^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}
