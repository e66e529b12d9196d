// A small SQL tokenizer for syntax highlighting: keywords, functions, strings, quoted
// identifiers, numbers, comments, operators. It never fails: any character it does not
// recognise becomes a one-character "other" token, so the tokens always spell the input.

import { el } from './dom.js';

const KEYWORDS = new Set(`
  all and any as asc between by case cast cross current_date current_time current_timestamp desc
  distinct else end except exists false fetch filter first following from full group having ilike
  in inner intersect interval is join last lateral left like limit natural not null nulls offset
  on or order outer over partition preceding range recursive right row rows select similar some
  table then true union unbounded using values when where window with within
`.trim().split(/\s+/));

const FUNCTIONS = new Set(`
  abs avg ceil ceiling coalesce concat count date date_part date_trunc day extract floor greatest
  least length lower max median min month nullif percentile_cont quarter rank round row_number
  strftime string_agg substr substring sum trim upper week year dense_rank lag lead ntile
`.trim().split(/\s+/));

/** Splits `sql` into `{ type, text }` tokens whose texts, joined, are exactly `sql`. */
export function tokenizeSql(sql) {
  const tokens = [];
  let position = 0;
  const push = (type, end) => {
    tokens.push({ type, text: sql.slice(position, end) });
    position = end;
  };
  while (position < sql.length) {
    const character = sql[position];
    const next = sql[position + 1];
    if (/\s/.test(character)) {
      push('whitespace', scanWhile(sql, position, (c) => /\s/.test(c)));
    } else if (character === '-' && next === '-') {
      const newline = sql.indexOf('\n', position);
      push('comment', newline === -1 ? sql.length : newline);
    } else if (character === '/' && next === '*') {
      const close = sql.indexOf('*/', position + 2);
      push('comment', close === -1 ? sql.length : close + 2);
    } else if (character === "'") {
      push('string', scanQuoted(sql, position, "'"));
    } else if (character === '"' || character === '`') {
      push('quoted', scanQuoted(sql, position, character));
    } else if (character === '[') {
      const close = sql.indexOf(']', position);
      push('quoted', close === -1 ? sql.length : close + 1);
    } else if (/[0-9]/.test(character) || (character === '.' && /[0-9]/.test(next ?? ''))) {
      push('number', scanNumber(sql, position));
    } else if (/[A-Za-z_\u00C0-\uFFFF]/.test(character)) {
      const end = scanWhile(sql, position, (c) => /[A-Za-z0-9_$\u00C0-\uFFFF]/.test(c));
      const word = sql.slice(position, end).toLowerCase();
      const nextNonSpace = sql.slice(end).match(/^\s*(.)/);
      const isCall = nextNonSpace !== null && nextNonSpace[1] === '(';
      if (KEYWORDS.has(word) && !(isCall && FUNCTIONS.has(word))) push('keyword', end);
      else if (isCall) push('function', end);
      else push('identifier', end);
    } else if (/[<>=!|:+\-*/%^~&]/.test(character)) {
      push('operator', scanWhile(sql, position, (c) => /[<>=!|:+\-*/%^~&]/.test(c)));
    } else {
      push('punctuation', position + 1);
    }
  }
  return tokens;
}

/** Replaces the content of `target` with highlighted spans of `sql`. */
export function highlightInto(target, sql) {
  const nodes = tokenizeSql(sql).map((token) => {
    if (token.type === 'whitespace' || token.type === 'identifier' || token.type === 'punctuation') {
      return document.createTextNode(token.text);
    }
    return el('span', { className: `tok-${token.type}` }, token.text);
  });
  // A trailing newline needs a character after it to take up a line, as it does in a textarea.
  nodes.push(document.createTextNode(sql.endsWith('\n') || sql === '' ? ' ' : ''));
  target.replaceChildren(...nodes);
}

function scanWhile(text, start, predicate) {
  let end = start;
  while (end < text.length && predicate(text[end])) end += 1;
  return end;
}

/** End of a quoted run starting at `start`; a doubled quote is an escaped quote. */
function scanQuoted(text, start, quote) {
  let end = start + 1;
  while (end < text.length) {
    if (text[end] === quote) {
      if (text[end + 1] === quote) {
        end += 2;
        continue;
      }
      return end + 1;
    }
    end += 1;
  }
  return text.length;
}

function scanNumber(text, start) {
  const match = /^(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?/.exec(text.slice(start));
  return start + (match ? match[0].length : 1);
}
