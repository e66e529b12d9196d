// The page's controller: API key, datasources, asking, polling a job every 300 ms and drawing
// it (stages, SQL, rows, chart, answer, feedback), history, ZIP upload (upload_panel.js), and
// every error in plain words.

import { ApiClient } from './api_client.js';
import { loadVegaEmbed, renderChart } from './chart_view.js';
import { toCsv } from './csv_export.js';
import { append, clear, downloadBlob, downloadText, el, fileStem, show } from './dom.js';
import { describeApiError, describeJobFailure } from './error_messages.js';
import { renderFeedbackPanel } from './feedback_panel.js';
import { addToHistory, loadHistory, renderHistory } from './question_history.js';
import { renderResultTable } from './result_table.js';
import { createSqlEditor } from './sql_editor.js';
import { describeProgress, renderStages } from './stage_progress.js';
import { initUploadPanel } from './upload_panel.js';
import { pollDelayMs, pollErrorAction, sleep } from './polling.js';

const KEY_STORAGE = 'analyst.apiKey';
const DATASOURCE_STORAGE = 'analyst.datasource';

const $ = (id) => document.getElementById(id);
const api = new ApiClient(() => sessionStorage.getItem(KEY_STORAGE));

const state = {
  datasources: [],
  job: null,
  /** Increases with every new poll loop; an older loop stops when it sees a newer token. */
  pollToken: 0,
  /** Job id whose finished parts (answer, chart, SQL, rows) are drawn. */
  drawnJobId: null,
  /** Rows in the order shown, for the CSV download. */
  tableView: null,
  /** SQL the user submitted, by job id, to notice when the server ran something else. */
  submittedSql: new Map(),
  lastProgress: '',
};

const sqlEditor = createSqlEditor($('sql-editor'), {
  labelledBy: 'sql-heading',
  describedBy: 'sql-help sql-error',
  onRun: () => runEditedSql(),
});

bindEvents();
initUploadPanel({
  api,
  onShowDetails: showUploadView,
  onUploaded: selectUploadedDatasource,
  onKeyLost: (error) => keyLost(error),
  onAsk: () => $('question-input').focus(),
});
start();

async function start() {
  const storedKey = sessionStorage.getItem(KEY_STORAGE);
  if (storedKey) {
    await useKey(storedKey, { fromStorage: true });
  } else {
    showKeyForm();
  }
}

function bindEvents() {
  $('key-form').addEventListener('submit', (event) => {
    event.preventDefault();
    const key = $('key-input').value.trim();
    if (!key) {
      $('key-error').textContent = 'Enter an API key.';
      $('key-input').focus();
      return;
    }
    useKey(key, { fromStorage: false });
  });
  $('change-key-button').addEventListener('click', () => showKeyForm());
  $('datasource-select').addEventListener('change', () => {
    sessionStorage.setItem(DATASOURCE_STORAGE, $('datasource-select').value);
    describeDatasource();
  });
  $('question-form').addEventListener('submit', (event) => {
    event.preventDefault();
    askQuestion();
  });
  $('question-input').addEventListener('keydown', (event) => {
    const plainEnter = event.key === 'Enter' && !event.shiftKey && !event.altKey && !event.ctrlKey && !event.metaKey;
    if (plainEnter && !event.isComposing) {
      event.preventDefault();
      $('question-form').requestSubmit();
    }
  });
  $('run-sql-button').addEventListener('click', () => runEditedSql());
  $('csv-button').addEventListener('click', downloadCsv);
  $('chart-svg-button').addEventListener('click', downloadChartSvg);
}

// ---------------------------------------------------------------------------------------------
// API key and datasources
// ---------------------------------------------------------------------------------------------

function showKeyForm(message = '') {
  state.pollToken += 1;
  show($('workspace'), false);
  show($('session-controls'), false);
  show($('key-section'), true);
  $('key-error').textContent = message;
  $('key-input').value = '';
  $('key-input').focus();
}

async function useKey(key, { fromStorage }) {
  $('key-submit').disabled = true;
  try {
    const datasources = await api.listDatasources(key);
    sessionStorage.setItem(KEY_STORAGE, key);
    showAppAlert(null);
    fillDatasources(datasources);
    show($('key-section'), false);
    show($('session-controls'), true);
    show($('workspace'), true);
    drawHistory();
    $('question-input').focus();
  } catch (error) {
    // Forget a stored key only when the server refused it, not when it was unreachable.
    const refused = ['invalid_api_key', 'missing_api_key', 'insufficient_scope'].includes(error.code);
    if (fromStorage && refused) sessionStorage.removeItem(KEY_STORAGE);
    const described = describeApiError(error);
    showKeyForm([described.title + '.', described.hint].filter(Boolean).join(' '));
  } finally {
    $('key-submit').disabled = false;
  }
}

/** The key stopped working mid-session (revoked, or the server was reset). */
function keyLost(error) {
  sessionStorage.removeItem(KEY_STORAGE);
  const described = describeApiError(error);
  showKeyForm(`${described.title}. Your key no longer works; enter a valid key to continue.`);
}

function fillDatasources(datasources) {
  state.datasources = datasources;
  const select = $('datasource-select');
  const previous = select.value || sessionStorage.getItem(DATASOURCE_STORAGE);
  select.replaceChildren(...datasources.map((datasource) => el('option', { value: datasource.name }, datasource.name)));
  if (datasources.some((datasource) => datasource.name === previous)) select.value = previous;
  describeDatasource();
}

function describeDatasource() {
  const datasource = state.datasources.find((candidate) => candidate.name === $('datasource-select').value);
  if (!datasource) {
    $('datasource-description').textContent = '';
    return;
  }
  const tables = `${datasource.tables.length} table${datasource.tables.length === 1 ? '' : 's'}, ${datasource.engine}`;
  $('datasource-description').textContent = datasource.description ? `${datasource.description} (${tables})` : tables;
  $('datasource-description').title = datasource.tables.join(', ');
}

async function reloadDatasources() {
  try {
    fillDatasources(await api.listDatasources());
  } catch (error) {
    showAppAlert(error);
  }
}

/** The upload view takes the main column: the job on screen stops being followed. */
function showUploadView() {
  state.pollToken += 1;
  show($('welcome'), false);
  show($('job-section'), false);
}

/** After an upload: reloads the datasources and selects `name`; `true` when it is listed. */
async function selectUploadedDatasource(name) {
  await reloadDatasources();
  if (!state.datasources.some((datasource) => datasource.name === name)) return false;
  $('datasource-select').value = name;
  sessionStorage.setItem(DATASOURCE_STORAGE, name);
  describeDatasource();
  return true;
}

// ---------------------------------------------------------------------------------------------
// Asking and polling
// ---------------------------------------------------------------------------------------------

async function askQuestion() {
  const question = $('question-input').value.trim();
  $('question-error').textContent = '';
  if (!question) {
    $('question-error').textContent = 'Type a question first.';
    $('question-input').focus();
    return;
  }
  const datasource = $('datasource-select').value;
  await submit({ question, datasource }, { errorTarget: $('question-error'), button: $('ask-button') });
}

async function runEditedSql() {
  const job = state.job;
  const sql = sqlEditor.getValue().trim();
  $('sql-error').textContent = '';
  if (!job) return;
  if (!sql) {
    $('sql-error').textContent = 'The SQL is empty.';
    sqlEditor.focus();
    return;
  }
  await submit(
    { question: job.question, datasource: job.datasource, sql },
    { errorTarget: $('sql-error'), button: $('run-sql-button'), editedSql: sql },
  );
}

async function submit(body, { errorTarget, button, editedSql = null }) {
  button.disabled = true;
  try {
    const accepted = await api.submitQuestion(body);
    if (editedSql) state.submittedSql.set(accepted.job_id, editedSql);
    addToHistory({
      jobId: accepted.job_id,
      question: body.question,
      datasource: body.datasource,
      editedSql: Boolean(editedSql),
      askedAt: new Date().toISOString(),
    });
    showAppAlert(null);
    followJob(accepted.job_id);
  } catch (error) {
    if (error.code === 'invalid_api_key' || error.code === 'missing_api_key') {
      keyLost(error);
      return;
    }
    const described = describeApiError(error);
    errorTarget.textContent = [described.title + '.', described.message, described.hint].filter(Boolean).join(' ');
    if (error.code === 'unknown_datasource') reloadDatasources();
  } finally {
    button.disabled = false;
  }
}

/** Polls `jobId` every 300 ms and draws it until it succeeds or fails. */
async function followJob(jobId) {
  const token = ++state.pollToken;
  state.drawnJobId = null;
  state.lastProgress = '';
  drawHistory(jobId);
  show($('welcome'), false);
  show($('upload-section'), false);
  let failures = 0;
  while (token === state.pollToken) {
    try {
      const job = await api.getJob(jobId);
      if (token !== state.pollToken) return;
      failures = 0;
      drawJob(job);
      if (job.status === 'succeeded' || job.status === 'failed') return;
    } catch (error) {
      if (token !== state.pollToken) return;
      const next = pollErrorAction(error, failures);
      if (next.kind === 'key_lost') {
        keyLost(error);
        return;
      }
      if (next.kind === 'give_up') {
        showAppAlert(error, 'Could not get the progress of the question.');
        return;
      }
      if (next.kind === 'wait') {
        // Over the key's request limit: wait as long as the server asks, then poll on.
        await sleep(next.ms);
        continue;
      }
      failures = next.failures;
    }
    await sleep(pollDelayMs(failures));
  }
}

// ---------------------------------------------------------------------------------------------
// Drawing a job
// ---------------------------------------------------------------------------------------------

function drawJob(job) {
  state.job = job;
  const section = $('job-section');
  section.dataset.jobId = job.job_id;
  section.dataset.status = job.status;
  section.dataset.cacheHit = String(Boolean(job.cache_hit));
  show(section, true);
  $('job-heading').textContent = job.question;
  const status = $('job-status');
  status.textContent = { queued: 'Queued', running: 'Running', succeeded: 'Answered', failed: 'Failed' }[job.status] || job.status;
  status.className = `status-pill status-${job.status}`;
  $('datasource-badge').textContent = job.datasource;
  const cacheBadge = $('cache-badge');
  cacheBadge.textContent = typeof job.cache_similarity === 'number'
    ? `Served from cache (similarity ${job.cache_similarity.toFixed(2)})`
    : 'Served from cache';
  show(cacheBadge, Boolean(job.cache_hit));
  renderStages($('stage-list'), job);
  const progress = describeProgress(job);
  if (progress !== state.lastProgress) {
    $('live-status').textContent = progress;
    state.lastProgress = progress;
  }

  const terminal = job.status === 'succeeded' || job.status === 'failed';
  if (!terminal) {
    if (state.drawnJobId !== job.job_id) hideFinishedParts();
    return;
  }
  if (state.drawnJobId === job.job_id) return;
  state.drawnJobId = job.job_id;
  drawFinishedJob(job);
}

function hideFinishedParts() {
  for (const id of ['job-error', 'answer-block', 'chart-block', 'table-block', 'sql-block']) show($(id), false);
  $('sql-error').textContent = '';
  $('run-sql-button').disabled = true;
}

function drawFinishedJob(job) {
  const jobError = $('job-error');
  if (job.status === 'failed') {
    const described = describeJobFailure(job.error);
    // append() skips the nulls; replaceChildren() would write them out as the text "null".
    jobError.replaceChildren();
    append(jobError, [
      el('strong', {}, described.title),
      described.message ? el('p', {}, described.message) : null,
      described.hint ? el('p', {}, described.hint) : null,
    ]);
  }
  show(jobError, job.status === 'failed');

  show($('answer-block'), true);
  $('answer-heading').textContent = job.answer || job.status === 'succeeded' ? 'Answer' : 'Feedback';
  $('answer-text').textContent = job.answer || (job.status === 'succeeded' ? 'The job finished without an answer text.' : '');
  show($('answer-text'), Boolean($('answer-text').textContent));
  renderFeedbackPanel($('feedback-panel'), job, {
    api,
    onRecorded: () => refreshQuietly(job.job_id),
  });

  drawSql(job);
  drawTable(job);
  drawChart(job);
}

function drawSql(job) {
  const attempts = job.attempts || [];
  const sql = job.sql || (attempts.length > 0 ? attempts[attempts.length - 1].sql : '');
  const hasSql = Boolean(sql) || job.status === 'failed';
  show($('sql-block'), hasSql);
  sqlEditor.setValue(sql || '');
  $('run-sql-button').disabled = false;
  const submitted = state.submittedSql.get(job.job_id);
  let origin = '';
  if (submitted) {
    origin = normalizeSql(submitted) === normalizeSql(job.sql || '')
      ? 'your edited SQL'
      : 'note: the SQL that ran differs from the SQL you submitted';
  } else if (job.cache_hit) {
    origin = 'reused from the cache';
  } else if (attempts.length > 1) {
    origin = `generated, repaired ${attempts.length - 1} time${attempts.length > 2 ? 's' : ''}`;
  } else if (sql) {
    origin = 'generated';
  }
  $('sql-origin').textContent = origin;

  const failedAttempts = attempts.filter((attempt) => attempt.error);
  show($('attempts-block'), failedAttempts.length > 0);
  $('attempts-summary').textContent = `${failedAttempts.length} failed attempt${failedAttempts.length === 1 ? '' : 's'} before this SQL`;
  $('attempts-list').replaceChildren(
    ...failedAttempts.map((attempt) =>
      el('li', {}, `Attempt ${attempt.attempt}: ${attempt.error}`, el('pre', {}, attempt.sql))),
  );
}

function drawTable(job) {
  const resultSet = job.result;
  show($('table-block'), Boolean(resultSet) || Boolean(job.result_expired));
  state.tableView = null;
  if (!resultSet) {
    if (job.result_expired) {
      $('result-table').replaceChildren(el('p', { id: 'rows-expired', className: 'help-text' },
        'These rows are no longer stored: they were older than the retention period or beyond '
        + 'this key\'s share of stored rows. Run the SQL again to see them.'));
      $('csv-button').disabled = true;
    }
    return;
  }
  state.tableView = renderResultTable($('result-table'), resultSet, { pageSize: 25 });
  $('csv-button').disabled = (resultSet.rows || []).length === 0;
}

async function drawChart(job) {
  const block = $('chart-block');
  $('chart-error').textContent = '';
  show(block, Boolean(job.chart));
  if (!job.chart) {
    clear($('chart-container'));
    return;
  }
  $('chart-container').replaceChildren(el('p', { className: 'help-text' }, 'Drawing the chart…'));
  try {
    await loadVegaEmbed();
    // Another job may be on screen by the time the libraries arrive the first time.
    if (!state.job || state.job.job_id !== job.job_id) return;
    await renderChart($('chart-container'), job.chart, { description: `Chart: ${job.question}` });
  } catch (error) {
    if (state.job && state.job.job_id !== job.job_id) return;
    clear($('chart-container'));
    $('chart-error').textContent = `The chart could not be drawn: ${error.message}. The rows below hold the same data.`;
  }
}

/** Redraws the finished parts after feedback (the job view now lists it). */
async function refreshQuietly(jobId) {
  try {
    const job = await api.getJob(jobId);
    if (state.job && state.job.job_id === jobId) state.job = job;
  } catch {
    // The feedback is already shown from the POST response; a failed refresh changes nothing.
  }
}

// ---------------------------------------------------------------------------------------------
// Downloads, history, alerts
// ---------------------------------------------------------------------------------------------

function downloadCsv() {
  const job = state.job;
  if (!job || !job.result || !state.tableView) return;
  const csv = toCsv(job.result.columns, state.tableView.sortedRows());
  downloadText(`${fileStem(job.question)}.csv`, `\ufeff${csv}`, 'text/csv;charset=utf-8');
}

async function downloadChartSvg() {
  const job = state.job;
  if (!job) return;
  $('chart-error').textContent = '';
  try {
    const svg = await api.getChartSvg(job.job_id);
    downloadBlob(`${fileStem(job.question)}.svg`, svg);
  } catch (error) {
    const described = describeApiError(error);
    $('chart-error').textContent = `${described.title}. ${described.message}`;
  }
}

function drawHistory(currentJobId = state.job ? state.job.job_id : null) {
  renderHistory($('history-list'), $('history-empty'), loadHistory(), currentJobId, (entry) => {
    $('question-input').value = entry.question;
    if (state.datasources.some((datasource) => datasource.name === entry.datasource)) {
      $('datasource-select').value = entry.datasource;
      describeDatasource();
    }
    followJob(entry.jobId);
  });
}

/** Shows an error (ApiError or null to hide) in the banner under the header. */
function showAppAlert(error, context = '') {
  const alert = $('app-alert');
  if (!error) {
    show(alert, false);
    return;
  }
  const described = describeApiError(error);
  alert.replaceChildren();
  append(alert, [
    el('strong', {}, context ? `${context} ${described.title}.` : described.title),
    described.message ? el('p', {}, described.message) : null,
    described.hint ? el('p', {}, described.hint) : null,
  ]);
  show(alert, true);
}

function normalizeSql(sql) {
  return sql.replace(/\s+/g, ' ').replace(/;\s*$/, '').trim().toLowerCase();
}

