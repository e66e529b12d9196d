// The HTTP client of the page: every call sends the API key and turns every failure into an
// ApiError with a code, whether the server answered with its JSON error body or not at all.

/** A failed API call. `code` is the server's error code, or one of the client's own:
 * `network_error` (no answer), `bad_response` (an answer that is not the expected JSON),
 * `upload_cancelled` (the user stopped an upload). */
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
    return this.request('GET', 'v1/datasources', undefined, key);
  }

  submitQuestion(body) {
    return this.request('POST', 'v1/questions', body);
  }

  getJob(jobId) {
    return this.request('GET', `v1/questions/${encodeURIComponent(jobId)}`);
  }

  giveFeedback(jobId, body) {
    return this.request('POST', `v1/questions/${encodeURIComponent(jobId)}/feedback`, body);
  }

  /** The job's chart as an SVG blob (`GET /v1/questions/{id}/chart.svg`). */
  async getChartSvg(jobId) {
    const response = await this.send('GET', `v1/questions/${encodeURIComponent(jobId)}/chart.svg`);
    if (!response.ok) throw await errorOf(response);
    return response.blob();
  }

  /**
   * Sends a ZIP upload (`POST /v1/uploads`, multipart `formData`) with XMLHttpRequest, because
   * fetch reports no upload progress. `onProgress(sentBytes, totalBytes)` follows the bytes sent.
   * Resolves to `{ upload, status_url }`; rejects with ApiError (code `upload_cancelled` after
   * `cancel()`). Returns `{ done, cancel }`.
   */
  sendUpload(formData, { onProgress = () => {} } = {}) {
    const xhr = new XMLHttpRequest();
    const done = new Promise((resolve, reject) => {
      xhr.open('POST', 'v1/uploads');
      xhr.responseType = 'text';
      xhr.withCredentials = false;
      xhr.setRequestHeader('Accept', 'application/json');
      const apiKey = this.getKey();
      if (apiKey) xhr.setRequestHeader('Authorization', `Bearer ${apiKey}`);
      xhr.upload.onprogress = (event) => {
        if (event.lengthComputable) onProgress(event.loaded, event.total);
      };
      xhr.onload = () => {
        const status = xhr.status;
        if (status >= 200 && status < 300) {
          try {
            resolve(JSON.parse(xhr.responseText));
          } catch {
            reject(new ApiError(status, 'bad_response', 'The server sent an answer that is not JSON.'));
          }
          return;
        }
        reject(errorFromBody(status, xhr.statusText, parseJson(xhr.responseText), xhr.getResponseHeader('Retry-After')));
      };
      xhr.onerror = () => reject(new ApiError(0, 'network_error', 'The server could not be reached, or it closed the connection before the file was sent.'));
      xhr.onabort = () => reject(new ApiError(0, 'upload_cancelled', 'The upload was cancelled before the file was sent.'));
      xhr.send(formData);
    });
    return { done, cancel: () => xhr.abort() };
  }

  getUpload(uploadId) {
    return this.request('GET', `v1/uploads/${encodeURIComponent(uploadId)}`);
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
  return errorFromBody(response.status, response.statusText, body, response.headers.get('Retry-After'));
}

/** ApiError of a failed answer: the server's `{ error: { code, message } }`, else a generic one. */
function errorFromBody(status, statusText, body, retryAfterHeader) {
  const detail = body && body.error;
  const retryAfter = Number.parseInt(retryAfterHeader ?? '', 10);
  const retryAfterSeconds = Number.isFinite(retryAfter) ? retryAfter : null;
  if (detail && typeof detail.code === 'string') {
    return new ApiError(status, detail.code, String(detail.message ?? ''), retryAfterSeconds);
  }
  return new ApiError(status, 'bad_response', `The server answered ${status} ${statusText}.`);
}

function parseJson(text) {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}
