// Datasource names for uploads: a suggestion made from the ZIP file's name, and the same
// snake_case rule the server applies (`ingest::is_datasource_name`), checked in
// the page so a bad name is explained before anything is sent.

/** Longest identifier the server keeps, in bytes (all allowed characters are one byte). */
const MAX_NAME_LENGTH = 63;
const SNAKE_CASE = /^[a-z][a-z0-9]*(_[a-z0-9]+)*$/;

/**
 * `snake_case` name made from a file name, the way the server names tables: accents dropped,
 * camelCase humps and runs of other characters become `_`, lowercase; a leading digit gets
 * `data_` in front. `''` when nothing usable is left.
 */
export function suggestDatasourceName(fileName) {
  const stem = String(fileName || '').replace(/\.zip$/i, '');
  const words = stem
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/([A-Z])([A-Z][a-z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter(Boolean);
  if (words.length === 0) return '';
  let name = words.join('_');
  if (/^[0-9]/.test(name)) name = `data_${name}`;
  return name.slice(0, MAX_NAME_LENGTH).replace(/_+$/, '');
}

/** Why `name` cannot be a datasource name, in plain words, or `null` when it can. */
export function datasourceNameProblem(name) {
  if (name === '') return 'Enter a name for the datasource, such as "shop" or "sales_2024".';
  if (name.length > MAX_NAME_LENGTH) return `The name is ${name.length} characters long; use at most ${MAX_NAME_LENGTH}.`;
  if (SNAKE_CASE.test(name)) return null;
  const suggestion = suggestDatasourceName(name);
  const tryThis = suggestion && suggestion !== name ? ` Try "${suggestion}".` : '';
  return `"${name}" is not a valid name: use lowercase letters, digits and single underscores, starting with a letter (snake_case).${tryThis}`;
}
