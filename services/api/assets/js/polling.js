// How the page polls the API (a question's job, an upload): the interval, the back-off after
// failed requests and what a failed request means. Every poll loop follows these rules.

/** Time between two polls while all goes well. */
export const POLL_INTERVAL_MS = 300;
/** Failed requests in a row after which a poll loop gives up. */
export const MAX_POLL_FAILURES = 5;
/** Error codes that mean the API key no longer works. */
export const KEY_ERROR_CODES = ['invalid_api_key', 'missing_api_key'];

export function sleep(milliseconds) {
  return new Promise((resolve) => setTimeout(resolve, milliseconds));
}

/** Wait before the next poll after `failures` failed requests in a row: doubled per failure. */
export function pollDelayMs(failures) {
  return POLL_INTERVAL_MS * (failures > 0 ? 2 ** failures : 1);
}

/**
 * What a poll loop does after a failed request, `failures` failed requests in a row before it:
 * `{ kind: 'key_lost' }`; `{ kind: 'wait', ms }` when rate limited (as long as the server asks);
 * `{ kind: 'retry', failures }` with the new count, for a network error, `unavailable` or a
 * 5xx below the limit; else `{ kind: 'give_up' }`.
 */
export function pollErrorAction(error, failures) {
  if (KEY_ERROR_CODES.includes(error.code)) return { kind: 'key_lost' };
  if (error.code === 'rate_limited') {
    return { kind: 'wait', ms: Math.max(1, error.retryAfterSeconds ?? 1) * 1000 };
  }
  const retryable = error.code === 'network_error' || error.code === 'unavailable' || error.status >= 500;
  if (!retryable || failures + 1 >= MAX_POLL_FAILURES) return { kind: 'give_up' };
  return { kind: 'retry', failures: failures + 1 };
}
