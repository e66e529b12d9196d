// Browser tests of the web UI: the real `analyst` binary, Debian's chromium, a 1366x768 page.
// Run with `node --test ui-tests/` (scripts/test does, after scripts/install-browser).
// UPDATE_SCREENSHOTS=1 writes the screenshots to docs/screenshots/ instead of a temp folder.

import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import { launchChromium, openPage, screenshotDir, startAnalyst } from './harness.js';
import { zipStored } from './zip_writer.js';

const TEST_TIMEOUT_MS = 90_000;

let server;
let browser;
let shots;

before(async () => {
  [server, browser, shots] = await Promise.all([startAnalyst(), launchChromium(), screenshotDir()]);
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

/**
 * Runs `body` with a fresh page (own session storage), then checks the page logged no errors
 * and broke no CSP rule, except problems matching `expectedProblem`.
 */
async function withPage(testContext, body, { expectedProblem = null } = {}) {
  const page = await openPage(browser, server.baseUrl);
  try {
    await body(page);
    const problems = page.problems.filter((problem) => !(expectedProblem && expectedProblem.test(problem)));
    assert.deepEqual(problems, [], 'the page logged no errors and broke no CSP rule');
  } catch (error) {
    const failureShot = path.join(tmpdir(), `analyst-ui-failed-${testContext.name.replace(/[^a-z0-9]+/gi, '-')}.png`);
    await page.screenshot({ path: failureShot, fullPage: true }).catch(() => {});
    error.message += `\nbrowser problems: ${JSON.stringify(page.problems)}\nscreenshot: ${failureShot}`;
    throw error;
  } finally {
    await page.context().close();
  }
}

async function signIn(page, key = server.adminKey) {
  await page.goto('/');
  await page.locator('#key-input').focus();
  await page.keyboard.type(key);
  await page.keyboard.press('Enter');
  await page.locator('#workspace').waitFor({ state: 'visible' });
}

/** Asks with the keyboard (Enter submits) and resolves to `{ id, status }` of the finished job. */
async function ask(page, question, datasource = 'restaurants') {
  const previousJobId = await page.locator('#job-section').getAttribute('data-job-id');
  await page.selectOption('#datasource-select', datasource);
  await page.locator('#question-input').fill(question);
  await page.locator('#question-input').press('Enter');
  return finishedJobAfter(page, previousJobId);
}

async function finishedJobAfter(page, previousJobId) {
  const handle = await page.waitForFunction((previous) => {
    const section = document.getElementById('job-section');
    const { jobId, status } = section.dataset;
    const finished = status === 'succeeded' || status === 'failed';
    return jobId && jobId !== previous && finished ? { id: jobId, status } : null;
  }, previousJobId);
  return handle.jsonValue();
}

// The seed layout of docs/ingestion.md, with the data tests/e2e/ingest_command.rs asks about.
const CUSTOMERS_CSV = 'Customer ID,Customer Name,City\n1,Ann Lee,Lisbon\n2,Bo Chen,Porto\n3,Cy Diaz,Lisbon\n';
/** Windows line endings and a semicolon delimiter, as spreadsheets export them. */
const ORDERS_CSV = 'Order ID;Customer ID;Order Date;Total Amount\r\n10;1;2024-01-05;20.5\r\n11;1;2024-02-01;12\r\n'
  + '12;2;2024-02-03;7.25\r\n13;1;2024-03-09;30\r\n14;3;2024-03-10;5\r\n';
const PRODUCTS_CSV = '\ufeffProduct ID,Product Name,Unit Price\n1,Tea,3.5\n2,Coffee,4\n';
const SALES_2023_CSV = 'Sale ID,Product ID,Sold On,Quantity\n1,1,2023-05-01,2\n';
const SALES_2024_CSV = 'Sale ID,Product ID,Sold On,Quantity\n2,2,2024-05-01,1\n3,1,2024-06-01,4\n';
const SEED_ENTRIES = [
  ['your_database/customers/customers.csv', CUSTOMERS_CSV],
  ['your_database/orders/orders.csv', ORDERS_CSV],
  ['your_database/products/products.csv', PRODUCTS_CSV],
  ['your_database/sales/sales_2023.csv', SALES_2023_CSV],
  ['your_database/sales/sales_2024.csv', SALES_2024_CSV],
];

/** Puts a ZIP of `entries` in the upload panel's file field, as if picked from disk. */
async function chooseZip(page, fileName, entries) {
  await page.locator('#upload-file').setInputFiles({ name: fileName, mimeType: 'application/zip', buffer: zipStored(entries) });
}

/** Waits until the upload panel shows a finished upload (or a refused request); its status. */
async function finishedUpload(page) {
  const handle = await page.waitForFunction(() => {
    const { status } = document.getElementById('upload-panel').dataset;
    return ['succeeded', 'failed', 'refused'].includes(status) ? status : null;
  });
  return handle.jsonValue();
}

async function tableColumn(page, columnIdx) {
  return page.locator(`#result-table tbody tr td:nth-child(${columnIdx + 1})`).allInnerTexts();
}

describe('the analyst web UI', () => {
  test('a bad key gets a friendly error and no workspace', { timeout: TEST_TIMEOUT_MS }, (t) =>
    withPage(t, async (page) => {
      const response = await page.goto('/');

      const headers = response.headers();
      assert.match(headers['content-security-policy'], /script-src 'self'/);
      assert.doesNotMatch(headers['content-security-policy'], /unsafe-eval|unsafe-inline/);
      assert.equal(headers['x-content-type-options'], 'nosniff');
      assert.equal(headers['referrer-policy'], 'no-referrer');
      assert.equal(headers['x-frame-options'], 'DENY');
      await page.locator('#key-input').fill('ak_this-key-does-not-exist');
      await page.locator('#key-input').press('Enter');

      const keyError = page.locator('#key-error');
      await keyError.filter({ hasText: 'That API key was not accepted' }).waitFor();
      assert.match(await keyError.innerText(), /copied the whole key/);
      assert.equal(await page.locator('#workspace').isVisible(), false);
      assert.equal(await page.evaluate(() => sessionStorage.getItem('analyst.apiKey')), null);
      await page.screenshot({ path: path.join(shots, 'bad-key.png') });
    }, { expectedProblem: /Failed to load resource: .* 401/ }));

  test('a question is answered with stages, a table and a chart', { timeout: TEST_TIMEOUT_MS }, (t) =>
    withPage(t, async (page) => {
      await signIn(page);

      const job = await ask(page, 'How many restaurants are there in each city?');

      assert.equal(job.status, 'succeeded');
      for (const stage of ['cache_lookup', 'classify', 'generate_sql', 'execute', 'explain']) {
        const box = page.locator(`#stage-list [data-stage="${stage}"]`);
        assert.equal(await box.getAttribute('data-state'), 'ok', `stage ${stage}`);
        assert.match(await box.innerText(), /\d+ ms/);
      }
      assert.deepEqual((await tableColumn(page, 0)).sort(), ['Los Angeles', 'Miami', 'New York', 'San Francisco']);
      await page.locator('#chart-container svg .mark-rect path').first().waitFor();
      assert.equal(await page.locator('#chart-container svg .mark-rect path').count(), 4);
      await page.locator('#chart-container svg .mark-rect path').first().hover();
      await page.locator('#vg-tooltip-element.visible').waitFor();
      assert.match(await page.locator('#vg-tooltip-element').innerText(), /number of restaurant/);
      await page.mouse.move(0, 0);
      assert.match(await page.locator('#answer-text').innerText(), /4 rows/);
      assert.match(await page.locator('.sql-highlight .tok-keyword').first().innerText(), /SELECT/i);
      assert.equal(await page.locator('#history-list .history-item').count(), 1);
      assert.equal(await page.locator('#cache-badge').isVisible(), false);
      await page.screenshot({ path: path.join(shots, 'answer-with-chart.png') });
      const unlabelled = await page.evaluate(() =>
        [...document.querySelectorAll('input, select, textarea, button')]
          .filter((control) => control.offsetParent !== null)
          .filter((control) => !(control.labels?.length || control.getAttribute('aria-label') || control.getAttribute('aria-labelledby') || control.textContent.trim()))
          .map((control) => control.outerHTML));
      assert.deepEqual(unlabelled, [], 'every visible control has a label');

      await page.getByRole('button', { name: /^number_of_restaurant/ }).click();
      await page.getByRole('button', { name: /^number_of_restaurant/ }).click();
      assert.deepEqual(await tableColumn(page, 1), ['3', '3', '3', '2']);
      assert.equal(
        await page.locator('th', { has: page.getByRole('button', { name: /^number_of_restaurant/ }) }).getAttribute('aria-sort'),
        'descending',
      );

      const [csvDownload] = await Promise.all([page.waitForEvent('download'), page.click('#csv-button')]);
      const csv = await readFile(await csvDownload.path(), 'utf8');
      assert.equal(csvDownload.suggestedFilename(), 'how-many-restaurants-are-there-in-each-city.csv');
      assert.equal(csv.replace(/^\ufeff/, '').split('\r\n')[0], 'city_name,number_of_restaurant');
      assert.equal(csv.trim().split('\r\n').length, 5);

      const [svgDownload] = await Promise.all([page.waitForEvent('download'), page.click('#chart-svg-button')]);
      const svg = await readFile(await svgDownload.path(), 'utf8');
      assert.match(svg, /^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
      assert.equal(svg.match(/<rect x=/g).length, 4);
    }));

  test('the stages show live progress while the job runs', { timeout: TEST_TIMEOUT_MS }, (t) =>
    withPage(t, async (page) => {
      await signIn(page);
      // The offline pipeline finishes in milliseconds, faster than one poll. The first polls'
      // answers are rewritten to show the job mid-way (the cache looked up, classify running), as
      // a slower model would leave it, so the test sees what a person would. The mid-way stages
      // are written out rather than cut from the real job, which may not have reached them yet.
      let heldPolls = 0;
      await page.route(/\/v1\/questions\/[0-9a-f-]{36}$/, async (route) => {
        const response = await route.fetch();
        const job = await response.json();
        if (heldPolls >= 4) return route.fulfill({ response, json: job });
        heldPolls += 1;
        const timings = [
          { stage: 'cache_lookup', started_at: job.submitted_at, duration_ms: 2, outcome: 'ok' },
          { stage: 'classify', started_at: job.submitted_at, duration_ms: null, outcome: 'running' },
        ];
        return route.fulfill({
          response,
          json: { ...job, status: 'running', stage: timings[1].stage, timings, result: null, answer: null, chart: null, sql: null },
        });
      });

      const finished = ask(page, 'How many restaurants are there in each city?');
      const running = page.locator('#stage-list [data-state="running"]');
      await running.waitFor();

      assert.equal(await running.getAttribute('data-stage'), 'classify');
      assert.equal(await page.locator('[data-stage="cache_lookup"]').getAttribute('data-state'), 'ok');
      assert.equal(await page.locator('[data-stage="execute"]').getAttribute('data-state'), 'waiting');
      assert.equal(await page.locator('#job-status').innerText(), 'Running');
      assert.equal(await page.locator('#live-status').innerText(), 'Running: Classify.');
      await page.screenshot({ path: path.join(shots, 'stage-progress.png') });
      assert.equal((await finished).status, 'succeeded');
      assert.ok(heldPolls >= 4, `the page kept polling (${heldPolls} held polls)`);
      assert.equal(await page.locator('#stage-list [data-state="ok"]').count(), 5);
      assert.match(await page.locator('#live-status').innerText(), /^Answered in \d+ ms\.$/);
    }));

  test('a long result is paginated 25 rows a page and drawn as a line', { timeout: TEST_TIMEOUT_MS }, (t) =>
    withPage(t, async (page) => {
      await signIn(page);

      const job = await ask(page, 'list all daily prices', 'broker');

      assert.equal(job.status, 'succeeded');
      const pageInfo = page.locator('#result-table .page-info');
      assert.equal(await pageInfo.innerText(), 'Rows 1–25 of 52 · page 1 of 3');
      assert.equal(await page.locator('#result-table tbody tr').count(), 25);
      await page.getByRole('button', { name: 'Next page' }).click();
      await page.getByRole('button', { name: 'Next page' }).click();
      assert.equal(await pageInfo.innerText(), 'Rows 51–52 of 52 · page 3 of 3');
      assert.equal(await page.getByRole('button', { name: 'Next page' }).isDisabled(), true);
      await page.locator('#chart-container svg .mark-line path').first().waitFor();
      await page.screenshot({ path: path.join(shots, 'line-chart-and-pages.png'), fullPage: true });

      await page.reload();
      await page.locator('#workspace').waitFor({ state: 'visible' });
      assert.equal(await page.locator('#key-section').isVisible(), false, 'the key is kept for the session');
      assert.equal(await page.locator('#datasource-select').inputValue(), 'broker');
      assert.match(await page.locator('#history-list').innerText(), /list all daily prices/);
    }));

  test('edited SQL runs again and its result replaces the old one', { timeout: TEST_TIMEOUT_MS }, (t) =>
    withPage(t, async (page) => {
      await signIn(page);
      const first = await ask(page, 'How many restaurants are there in each city?');
      const editedSql = "SELECT city_name, COUNT(*) AS n\nFROM restaurant\nWHERE city_name <> 'Miami'\nGROUP BY city_name";

      await page.locator('#sql-input').fill(editedSql);
      assert.equal(await page.locator('.sql-highlight .tok-string').innerText(), "'Miami'");
      await page.locator('#sql-input').press('Control+Enter');
      const second = await finishedJobAfter(page, first.id);

      assert.equal(second.status, 'succeeded', await page.locator('#job-error').innerText());
      assert.equal(await page.locator('#sql-origin').innerText(), 'your edited SQL');
      assert.deepEqual((await tableColumn(page, 0)).sort(), ['Los Angeles', 'New York', 'San Francisco']);
      assert.match(await page.locator('#result-table thead').innerText(), /\bn\b/);
      assert.match(await page.locator('#history-list').innerText(), /edited SQL/);
      await page.screenshot({ path: path.join(shots, 'edited-sql.png') });
    }));

  test('an approved answer is served from the cache the next time', { timeout: TEST_TIMEOUT_MS }, (t) =>
    withPage(t, async (page) => {
      await signIn(page);
      const question = 'How many restaurants are there?';
      const first = await ask(page, question);
      assert.equal(first.status, 'succeeded');
      assert.equal(await page.locator('#cache-badge').isVisible(), false);

      await page.getByRole('button', { name: 'Approve' }).click();
      await page.locator('#feedback-panel [data-verdict="approve"]').waitFor();
      assert.match(await page.locator('#feedback-panel').innerText(), /Approved by admin/);
      const second = await ask(page, question);

      assert.equal(second.status, 'succeeded');
      assert.notEqual(second.id, first.id);
      assert.equal(await page.locator('#job-section').getAttribute('data-cache-hit'), 'true');
      assert.match(await page.locator('#cache-badge').innerText(), /Served from cache/);
      assert.equal(await page.locator('[data-stage="generate_sql"]').getAttribute('data-state'), 'skipped');
      assert.equal(await page.locator('#sql-origin').innerText(), 'reused from the cache');
      assert.deepEqual(await tableColumn(page, 0), ['11']);
      await page.screenshot({ path: path.join(shots, 'served-from-cache.png') });

      await page.locator('#history-list .history-item').nth(1).click();
      await page.waitForFunction((id) => document.getElementById('job-section').dataset.jobId === id, first.id);
      assert.equal(await page.locator('#cache-badge').isVisible(), false);
    }));

  test('an answer whose rows were evicted says so instead of showing an empty table', { timeout: TEST_TIMEOUT_MS }, async (t) => {
    // A cap of 0 MiB per key keeps only each key's newest result.
    const capped = await startAnalyst(['--max-result-mib-per-key', '0']);
    t.after(() => capped.stop());
    const page = await openPage(browser, capped.baseUrl);
    try {
      await signIn(page, capped.adminKey);
      const first = await ask(page, 'How many restaurants are there?');
      assert.equal(first.status, 'succeeded');
      assert.equal(await page.locator('#rows-expired').count(), 0);
      await ask(page, 'How many restaurants are there in each city?');

      await page.locator('#history-list .history-item').nth(1).click();
      await page.waitForFunction((id) => document.getElementById('job-section').dataset.jobId === id, first.id);

      await page.locator('#rows-expired').waitFor({ state: 'visible' });
      assert.match(await page.locator('#rows-expired').innerText(), /no longer stored/);
      assert.equal(await page.locator('#csv-button').isDisabled(), true);
      assert.deepEqual(page.problems, [], 'the page logged no errors and broke no CSP rule');
    } finally {
      await page.context().close();
    }
  });

  test('a question the data cannot answer says why and can be rejected', { timeout: TEST_TIMEOUT_MS }, (t) =>
    withPage(t, async (page) => {
      await signIn(page);

      const job = await ask(page, 'Why do people prefer Italian restaurants?');

      assert.equal(job.status, 'failed');
      const jobError = page.locator('#job-error');
      assert.match(await jobError.innerText(), /could not be answered/);
      assert.match(await jobError.innerText(), /why/i);
      assert.equal(await page.locator('#approve-button').isDisabled(), true);
      await page.screenshot({ path: path.join(shots, 'failed-question.png') });
      await page.getByRole('button', { name: 'Reject' }).click();
      await page.locator('#reject-comment').fill('should explain that the data has no reasons');
      await page.getByRole('button', { name: 'Send rejection' }).click();
      await page.locator('#feedback-panel [data-verdict="reject"]').waitFor();
      assert.match(await page.locator('#feedback-panel').innerText(), /Rejected by admin/);
    }));

  test('the page modules handle tricky SQL, CSV and timings', { timeout: TEST_TIMEOUT_MS }, (t) =>
    withPage(t, async (page) => {
      await page.goto('/');

      const results = await page.evaluate(async () => {
        const { tokenizeSql } = await import('/assets/js/sql_highlight.js');
        const { toCsv } = await import('/assets/js/csv_export.js');
        const { stageProgress } = await import('/assets/js/stage_progress.js');
        const { pollErrorAction } = await import('/assets/js/polling.js');
        const sql = `SELECT "a""b", count(*) AS n, 'it''s' -- note\nFROM t /* c */ WHERE x >= 1.5e3 AND [y] <> 'unterminated`;
        const tokens = tokenizeSql(sql);
        const repaired = {
          status: 'running',
          timings: [
            { stage: 'generate_sql', duration_ms: 5, outcome: 'ok' },
            { stage: 'execute', duration_ms: 2, outcome: 'error' },
            { stage: 'generate_sql', duration_ms: 7, outcome: 'ok' },
            { stage: 'execute', duration_ms: null, outcome: 'running' },
          ],
        };
        return {
          roundTrip: tokens.map((token) => token.text).join('') === sql,
          typed: tokens.filter((token) => !['whitespace', 'punctuation'].includes(token.type)).map((token) => `${token.type}:${token.text}`),
          csv: toCsv([{ name: 'name' }, { name: 'n' }], [['a, "b"', 1], ['=cmd()', -2], [null, { k: 1 }], ['line\nbreak', 0]]),
          generate: stageProgress(repaired, 'generate_sql'),
          execute: stageProgress(repaired, 'execute'),
          explain: stageProgress(repaired, 'explain'),
          pollActions: [
            pollErrorAction({ code: 'invalid_api_key', status: 401 }, 0),
            pollErrorAction({ code: 'rate_limited', status: 429, retryAfterSeconds: 3 }, 2),
            pollErrorAction({ code: 'network_error', status: 0 }, 0),
            pollErrorAction({ code: 'internal', status: 500 }, 3),
            pollErrorAction({ code: 'unavailable', status: 503 }, 4),
            pollErrorAction({ code: 'job_not_found', status: 404 }, 0),
          ],
        };
      });

      assert.equal(results.roundTrip, true, 'the tokens spell the input exactly');
      assert.deepEqual(results.typed, [
        'keyword:SELECT', 'quoted:"a""b"', 'function:count', 'operator:*', 'keyword:AS', 'identifier:n',
        "string:'it''s'", 'comment:-- note', 'keyword:FROM', 'identifier:t', 'comment:/* c */', 'keyword:WHERE',
        'identifier:x', 'operator:>=', 'number:1.5e3', 'keyword:AND', 'quoted:[y]', 'operator:<>', "string:'unterminated",
      ]);
      assert.equal(results.csv, 'name,n\r\n"a, ""b""",1\r\n\'=cmd(),-2\r\n,"{""k"":1}"\r\n"line\nbreak",0\r\n');
      assert.deepEqual(results.generate, { state: 'ok', text: '12 ms ×2' });
      assert.deepEqual(results.execute, { state: 'running', text: 'running ×2' });
      assert.deepEqual(results.explain, { state: 'waiting', text: 'waiting' });
      assert.deepEqual(results.pollActions, [
        { kind: 'key_lost' },
        { kind: 'wait', ms: 3000 },
        { kind: 'retry', failures: 1 },
        { kind: 'retry', failures: 4 },
        { kind: 'give_up' },
        { kind: 'give_up' },
      ]);
    }));

  test('the chart SVG endpoint needs a key and answers 404 for a job without a chart', { timeout: TEST_TIMEOUT_MS }, (t) =>
    withPage(t, async (page) => {
      await signIn(page);
      const job = await ask(page, 'How many restaurants are there?');

      const withoutKey = await page.request.get(`/v1/questions/${job.id}/chart.svg`);
      const withoutChart = await page.request.get(`/v1/questions/${job.id}/chart.svg`, {
        headers: { Authorization: `Bearer ${server.adminKey}` },
      });

      assert.equal(withoutKey.status(), 401);
      assert.equal((await withoutKey.json()).error.code, 'missing_api_key');
      assert.equal(withoutChart.status(), 404);
      assert.equal((await withoutChart.json()).error.code, 'chart_not_found');
      assert.equal(await page.locator('#chart-block').isVisible(), false);
    }));
  test('a ZIP upload shows its progress and files, then its tables are asked at once', { timeout: TEST_TIMEOUT_MS }, (t) =>
    withPage(t, async (page) => {
      await signIn(page);
      // The offline ingestion of five small files finishes before the first poll. The first
      // polls' answers are rewritten to show the upload mid-way (two files checked, the third
      // being checked), as a large archive would leave it, so the test sees what a person would.
      let heldPolls = 0;
      await page.route(/\/v1\/uploads\/[0-9a-f-]{36}$/, async (route) => {
        const response = await route.fetch();
        const upload = await response.json();
        if (heldPolls >= 3) return route.fulfill({ response, json: upload });
        heldPolls += 1;
        const files = upload.files.map((file, fileIdx) => ({
          ...file,
          status: ['passed', 'passed', 'checking'][fileIdx] ?? 'pending',
          n_rows: fileIdx < 2 ? file.n_rows : null,
        }));
        return route.fulfill({ response, json: { ...upload, status: 'validating', files, tables: [], failure: null } });
      });
      await page.evaluate(() => {
        window.uploadStatuses = [];
        new MutationObserver(() => window.uploadStatuses.push(document.getElementById('upload-panel').dataset.status))
          .observe(document.getElementById('upload-panel'), { attributes: true, attributeFilter: ['data-status'] });
      });

      await chooseZip(page, 'your_database.zip', SEED_ENTRIES);
      assert.equal(await page.locator('#upload-datasource').inputValue(), 'your_database', 'the name is suggested from the file');
      await page.locator('#upload-button').focus();
      await page.keyboard.press('Enter');
      await page.locator('#upload-files [data-status="checking"]').waitFor();

      assert.equal(await page.locator('#upload-status').innerText(), 'Checking files');
      assert.equal(await page.locator('#upload-phase').innerText(), 'Checking files: 2 of 5 done.');
      assert.equal(await page.locator('#upload-bar').getAttribute('aria-valuenow'), '100');
      assert.match(await page.locator('#upload-bar').getAttribute('aria-valuetext'), /^Sent \d+(\.\d)? kB$/);
      assert.equal(await page.locator('#upload-files [data-status="pending"]').count(), 2);
      assert.equal(await finishedUpload(page), 'succeeded', await page.locator('#upload-panel').innerText());
      const statuses = await page.evaluate(() => window.uploadStatuses);
      assert.deepEqual([...new Set(statuses)], ['sending', 'queued', 'validating', 'loading', 'succeeded'].filter((status) => statuses.includes(status)));
      assert.equal(statuses[0], 'sending');
      assert.ok(statuses.includes('validating'), `statuses seen: ${statuses}`);
      assert.ok(heldPolls >= 3, `the page kept polling (${heldPolls} held polls)`);
      const tables = await page.locator('#upload-tables > li').evaluateAll((items) =>
        items.map((item) => [item.dataset.table, item.dataset.rows]));
      assert.deepEqual(tables.sort(), [['customers', '3'], ['orders', '5'], ['products', '2'], ['sales', '3']]);
      assert.match(await page.locator('#upload-tables [data-table="orders"]').innerText(), /total_amount\s+DOUBLE/);
      const files = await page.locator('#upload-files tr[data-entry]').evaluateAll((items) =>
        items.map((item) => [item.dataset.entry, item.dataset.status]));
      assert.deepEqual(files, SEED_ENTRIES.map(([entry]) => [entry, 'passed']));
      assert.match(
        await page.locator('#upload-files [data-entry="your_database/sales/sales_2024.csv"]').innerText(),
        /^your_database\/sales\/sales_2024\.csv\s+sales\s+2\s+✓ passed$/,
      );
      assert.equal(await page.locator('#upload-status').innerText(), 'Loaded');
      assert.match(await page.locator('#upload-live').innerText(), /your_database/);
      assert.equal(await page.locator('#datasource-select').inputValue(), 'your_database', 'the new datasource is selected');
      assert.match(await page.locator('#datasource-description').innerText(), /4 tables/);
      assert.match(await page.locator('#upload-outcome').innerText(), /your_database is ready/);
      assert.equal(await page.evaluate(() => document.activeElement.id), 'upload-ask-button');
      await page.screenshot({ path: path.join(shots, 'upload-succeeded.png') });

      await page.keyboard.press('Enter');
      assert.equal(await page.evaluate(() => document.activeElement.id), 'question-input');
      const job = await ask(page, 'How many orders are there for each customer name?', 'your_database');

      assert.equal(job.status, 'succeeded', await page.locator('#job-error').innerText());
      assert.match(await page.locator('#result-table thead').innerText(), /customer_name[\s\S]*number_of_orders/);
      const rows = (await tableColumn(page, 0)).map((name, rowIdx) => [name, rowIdx]);
      const counts = await tableColumn(page, 1);
      assert.deepEqual(rows.map(([name, rowIdx]) => `${name}: ${counts[rowIdx]}`).sort(), ['Ann Lee: 3', 'Bo Chen: 1', 'Cy Diaz: 1']);
      assert.match(await page.locator('#sql-editor').innerText(), /JOIN customers/i);
    }));

  test('a ZIP with a ragged row fails naming the file and adds no datasource', { timeout: TEST_TIMEOUT_MS }, (t) =>
    withPage(t, async (page) => {
      await signIn(page);

      await chooseZip(page, 'bad_upload.zip', [
        ['customers/customers.csv', CUSTOMERS_CSV],
        ['orders/orders.csv', 'id,customer_id\n1,1\n2\n'],
      ]);
      await page.locator('#upload-button').click();

      assert.equal(await finishedUpload(page), 'failed');
      const alert = page.locator('#upload-outcome');
      assert.equal(await alert.getAttribute('role'), 'alert');
      assert.match(await alert.innerText(), /The upload failed at orders\/orders\.csv/);
      assert.match(await alert.innerText(), /`orders\/orders\.csv` line 3: 1 cells, but the header has 2/);
      assert.match(await alert.innerText(), /Fix the file/);
      const badFile = page.locator('#upload-files [data-entry="orders/orders.csv"]');
      assert.equal(await badFile.getAttribute('data-status'), 'failed');
      assert.match(await badFile.innerText(), /✗ failed/);
      assert.match(
        await page.locator('#upload-files [data-error-for="orders/orders.csv"]').innerText(),
        /^Error: `orders\/orders\.csv` line 3: 1 cells, but the header has 2/,
      );
      const errorId = await badFile.locator('td').first().getAttribute('aria-describedby');
      assert.match(await page.locator(`#${errorId}`).innerText(), /line 3/, 'the error describes the file for screen readers');
      assert.equal(await page.locator('#upload-files [data-entry="customers/customers.csv"]').getAttribute('data-status'), 'passed');
      assert.equal(await page.locator('#upload-status').innerText(), 'Failed');
      assert.equal(await page.locator('#upload-tables').count(), 0);
      const options = await page.locator('#datasource-select option').allInnerTexts();
      assert.ok(!options.includes('bad_upload'), `options: ${options}`);
      const listed = await page.request.get('/v1/datasources', { headers: { Authorization: `Bearer ${server.adminKey}` } });
      assert.ok(!(await listed.json()).some((datasource) => datasource.name === 'bad_upload'));
      assert.equal(await page.locator('#upload-button').isDisabled(), false, 'the form can be used again');
      await page.screenshot({ path: path.join(shots, 'upload-failed.png') });

      await page.locator('#upload-datasource').fill('restaurants');
      await page.locator('#upload-button').click();

      assert.equal(await finishedUpload(page), 'refused');
      const refusal = page.locator('#upload-error');
      assert.equal(await refusal.getAttribute('role'), 'alert');
      assert.match(await refusal.innerText(), /The upload was not accepted/);
      assert.match(await refusal.innerText(), /demo database/);
      assert.equal(await page.locator('#upload-status').innerText(), 'Not sent');
    }, { expectedProblem: /Failed to load resource: .* 400/ }));

  test('an invalid datasource name is explained in the page without a request', { timeout: TEST_TIMEOUT_MS }, (t) =>
    withPage(t, async (page) => {
      await signIn(page);
      const uploadRequests = [];
      page.on('request', (request) => {
        if (request.url().includes('/v1/uploads')) uploadRequests.push(request.url());
      });

      await page.locator('#upload-button').click();
      assert.equal(await page.locator('#upload-file-error').innerText(), 'Choose a ZIP file to upload.');
      assert.equal(await page.evaluate(() => document.activeElement.id), 'upload-file');
      await chooseZip(page, 'Sales Data 2024.zip', [['sales/sales.csv', SALES_2024_CSV]]);
      assert.equal(await page.locator('#upload-file-error').innerText(), '');
      assert.equal(await page.locator('#upload-datasource').inputValue(), 'sales_data_2024');
      await page.locator('#upload-datasource').fill('My Sales!');
      await page.locator('#upload-datasource').press('Enter');

      const nameError = page.locator('#upload-datasource-error');
      assert.match(await nameError.innerText(), /"My Sales!" is not a valid name: use lowercase letters, digits and single underscores, starting with a letter \(snake_case\)\. Try "my_sales"\./);
      assert.equal(await page.locator('#upload-datasource').getAttribute('aria-invalid'), 'true');
      assert.match(await page.locator('#upload-datasource').getAttribute('aria-describedby'), /upload-datasource-error/);
      assert.equal(await page.evaluate(() => document.activeElement.id), 'upload-datasource');
      assert.equal(await page.locator('#upload-panel').getAttribute('data-status'), 'idle');
      await page.locator('#upload-datasource').fill('my_sales');
      assert.equal(await nameError.innerText(), '', 'a fixed name clears the message');
      assert.equal(await page.locator('#upload-datasource').getAttribute('aria-invalid'), null);
      const checks = await page.evaluate(async () => {
        const { datasourceNameProblem, suggestDatasourceName } = await import('/assets/js/datasource_name.js');
        return {
          suggestions: ['Shop.ZIP', 'customerOrders.zip', 'Prénom Données.zip', '2024 export.zip', '___.zip', 'ABCDef.zip']
            .map(suggestDatasourceName),
          valid: ['shop', 'sales_2024', 'a1'].map(datasourceNameProblem),
          invalid: ['', 'Shop', '2024', 'sales__2024', 'sales_', '_sales', 'sales-2024', 'x'.repeat(64)]
            .map((name) => datasourceNameProblem(name) !== null),
        };
      });
      assert.deepEqual(checks.suggestions, ['shop', 'customer_orders', 'prenom_donnees', 'data_2024_export', '', 'abc_def']);
      assert.deepEqual(checks.valid, [null, null, null]);
      assert.deepEqual(checks.invalid, [true, true, true, true, true, true, true, true]);
      assert.deepEqual(uploadRequests, [], 'nothing was sent');
    }));
  test('every error the upload endpoint answers gets a friendly message', { timeout: TEST_TIMEOUT_MS }, (t) =>
    withPage(t, async (page) => {
      await signIn(page);
      const answers = [
        [400, 'invalid_upload', 'the `datasource` field is required', /The upload was not accepted/],
        [403, 'insufficient_scope', 'this key lacks the ingest scope', /not allowed to do this[\s\S]*"ingest" scope/],
        [404, 'uploads_not_supported', 'this server does not take uploads through the API', /does not take uploads[\s\S]*analyst ingest/],
        [413, 'upload_too_large', 'the uploaded archive is larger than 1048576 bytes', /larger than this server accepts[\s\S]*1048576 bytes/],
        [429, 'rate_limited', 'too many requests', /Too many requests[\s\S]*Try again in 7 s/],
        [503, 'unavailable', '8 uploads are waiting already; try again later', /unavailable[\s\S]*8 uploads are waiting/],
      ];
      let answer = null;
      await page.route('**/v1/uploads', (route) => route.fulfill({
        status: answer[0],
        headers: answer[0] === 429 ? { 'Retry-After': '7' } : {},
        json: { error: { code: answer[1], message: answer[2] } },
      }));
      await chooseZip(page, 'shop.zip', [['customers/customers.csv', CUSTOMERS_CSV]]);

      for (const [status, code, message, expected] of answers) {
        answer = [status, code, message];
        await page.evaluate(() => { document.getElementById('upload-panel').dataset.status = 'idle'; });
        await page.locator('#upload-button').click();

        assert.equal(await finishedUpload(page), 'refused', code);
        const refusal = await page.locator('#upload-error').innerText();
        assert.match(refusal, expected, code);
        assert.ok(refusal.includes(message), `${code}: the server's message is shown`);
        assert.equal(await page.locator('#upload-button').isDisabled(), false);
      }
      answer = [401, 'invalid_api_key', 'the API key is not valid'];
      await page.locator('#upload-button').click();

      await page.locator('#key-section').waitFor({ state: 'visible' });
      assert.match(await page.locator('#key-error').innerText(), /That API key was not accepted/);
    }, { expectedProblem: /Failed to load resource: the server responded with a status of (400|401|403|404|413|429|503)/ }));
});
