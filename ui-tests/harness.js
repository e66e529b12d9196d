// Starts the real `analyst` binary and Debian's chromium for the browser tests.
//
// The server runs on a random loopback port with a fresh data directory and the offline
// embedder (identical questions are guaranteed cache hits); the tests read its admin key and
// address from stdout, exactly as a person starting `analyst serve` would.

import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { fileURLToPath } from 'node:url';

import { chromium } from 'playwright-core';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** Seconds the server may take to print `listening on` (a debug build loads demo data first). */
const STARTUP_TIMEOUT_MS = 180_000;

/** The `analyst` binary: `$ANALYST_BIN`, else target/debug/analyst of this checkout. */
export function analystBinary() {
  return process.env.ANALYST_BIN || path.join(repoRoot, 'target', 'debug', 'analyst');
}

/**
 * Starts `analyst serve --addr 127.0.0.1:0 --data-dir <tmp> --embedder offline`, then
 * `extraArgs`. Resolves to `{ baseUrl, adminKey, stop() }` once the server listens.
 */
export async function startAnalyst(extraArgs = []) {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'analyst-ui-tests-'));
  const child = spawn(
    analystBinary(),
    ['serve', '--addr', '127.0.0.1:0', '--data-dir', dataDir, '--embedder', 'offline', ...extraArgs],
    { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, RUST_LOG: process.env.RUST_LOG || 'warn' } },
  );
  let stderrTail = '';
  child.stderr.on('data', (chunk) => {
    stderrTail = (stderrTail + chunk.toString()).slice(-8_000);
  });
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));

  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const killTimer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(killTimer);
    }
    await rm(dataDir, { recursive: true, force: true });
  };

  try {
    const { baseUrl, adminKey } = await readStartupLines(child, exited, () => stderrTail);
    return { baseUrl, adminKey, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

function readStartupLines(child, exited, stderrTail) {
  return new Promise((resolve, reject) => {
    const lines = readline.createInterface({ input: child.stdout });
    let adminKey = null;
    const timer = setTimeout(() => {
      reject(new Error(`analyst did not listen within ${STARTUP_TIMEOUT_MS / 1000} s; stderr:\n${stderrTail()}`));
    }, STARTUP_TIMEOUT_MS);
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(new Error(`could not start ${analystBinary()}: ${error.message} (build it with \`cargo build -p local --bin analyst\` or set ANALYST_BIN)`));
    });
    exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`analyst exited before listening (code ${code}, signal ${signal}); stderr:\n${stderrTail()}`));
    });
    lines.on('line', (line) => {
      if (line.startsWith('admin api key: ')) adminKey = line.slice('admin api key: '.length).trim();
      if (line.startsWith('listening on ')) {
        clearTimeout(timer);
        if (!adminKey) reject(new Error('analyst listened without printing the first-start admin key'));
        else resolve({ baseUrl: line.slice('listening on '.length).trim(), adminKey });
      }
    });
  });
}

/** Debian's chromium, headless, without sandbox, GPU or background traffic. */
export function launchChromium() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_BIN || '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
}

/**
 * A fresh 1366x768 page (its own session storage) that records console errors, page errors
 * and Content-Security-Policy violations in `page.problems`.
 */
export async function openPage(browser, baseUrl) {
  const context = await browser.newContext({
    viewport: { width: 1366, height: 768 },
    acceptDownloads: true,
    baseURL: baseUrl,
  });
  const page = await context.newPage();
  page.problems = [];
  page.on('console', (message) => {
    if (message.type() === 'error') page.problems.push(`console: ${message.text()}`);
  });
  page.on('pageerror', (error) => page.problems.push(`page error: ${error.message}`));
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (event) => {
      console.error(`CSP violation: ${event.violatedDirective} blocked ${event.blockedURI}`);
    });
  });
  return page;
}

/** Where screenshots go: docs/screenshots with UPDATE_SCREENSHOTS=1, else a temp folder. */
export async function screenshotDir() {
  const dir = process.env.UPDATE_SCREENSHOTS === '1'
    ? path.join(repoRoot, 'docs', 'screenshots')
    : path.join(tmpdir(), 'analyst-ui-screenshots');
  await mkdir(dir, { recursive: true });
  return dir;
}
