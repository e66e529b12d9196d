// The HTTP client of the page: every call sends the API key and turns every failure into an
// ApiError with a code, whether the server answered with its JSON error body or not at all.

/** A failed API call. `code` is the server's error code, or one of the client's own:
 * `network_error` (no answer), `bad_response` (an answer that is not the expected JSON). */
export class ApiError extends Error {
  constructor(status, code, message, retryAfterSeconds = null) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    /** Seconds the server asked to wait (`Retry-After` of a 429 or 503), when it said. */
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

export class ApiClient {
  /** `getKey` returns the key to send (read on every call, so a new key applies at once). */
  constructor(getKey) {
    this.getKey = getKey;
  }

  listDatasources(key) {
    return this.request('GET', '/v1/datasources', undefined, key);
  }

  submitQuestion(body) {
    return this.request('POST', '/v1/questions', body);
  }

  getJob(jobId) {
    return this.request('GET', `/v1/questions/${encodeURIComponent(jobId)}`);
  }

  giveFeedback(jobId, body) {
    return this.request('POST', `/v1/questions/${encodeURIComponent(jobId)}/feedback`, body);
  }

  /** The job's chart as an SVG blob (`GET /v1/questions/{id}/chart.svg`). */
  async getChartSvg(jobId) {
    const response = await this.send('GET', `/v1/questions/${encodeURIComponent(jobId)}/chart.svg`);
    if (!response.ok) throw await errorOf(response);
    return response.blob();
  }

  /** JSON of a successful call, or throws ApiError. `key` overrides the stored key (key check). */
  async request(method, path, body, key) {
    const response = await this.send(method, path, body, key);
    if (!response.ok) throw await errorOf(response);
    try {
      return await response.json();
    } catch {
      throw new ApiError(response.status, 'bad_response', 'The server sent an answer that is not JSON.');
    }
  }

  async send(method, path, body, key) {
    const headers = { Accept: 'application/json' };
    const apiKey = key ?? this.getKey();
    if (apiKey) headers.Authorization = `Bearer ${apiKey}`;
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    try {
      return await fetch(path, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        cache: 'no-store',
        credentials: 'omit',
      });
    } catch {
      throw new ApiError(0, 'network_error', 'The server could not be reached.');
    }
  }
}

async function errorOf(response) {
  let body = null;
  try {
    body = await response.json();
  } catch {
    // Not the JSON error body (a proxy page, an empty body): fall through to a generic error.
  }
  const detail = body && body.error;
  const retryAfter = Number.parseInt(response.headers.get('Retry-After') ?? '', 10);
  const retryAfterSeconds = Number.isFinite(retryAfter) ? retryAfter : null;
  if (detail && typeof detail.code === 'string') {
    return new ApiError(response.status, detail.code, String(detail.message ?? ''), retryAfterSeconds);
  }
  return new ApiError(response.status, 'bad_response', `The server answered ${response.status} ${response.statusText}.`);
}
