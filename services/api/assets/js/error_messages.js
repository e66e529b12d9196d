// Plain-language explanations of every error the API can return (services/api/src/api_error.rs),
// of the client's own failures, of failed jobs (JobView.error) and of failed uploads
// (UploadView.failure).

const API_ERRORS = {
  missing_api_key: {
    title: 'An API key is needed',
    hint: 'Enter your key to continue.',
  },
  invalid_api_key: {
    title: 'That API key was not accepted',
    hint: 'Check that you copied the whole key (it starts with "ak_") and that it has not been revoked. "analyst keys create" makes a new one.',
  },
  insufficient_scope: {
    title: 'Your key is not allowed to do this',
    hint: 'Asking needs the "ask" scope, approving or rejecting answers the "approve" scope and uploading data the "ingest" scope. Ask an administrator for a key with that scope.',
  },
  invalid_question: {
    title: 'The question is empty',
    hint: 'Type a question first.',
  },
  question_too_long: {
    title: 'The question is too long',
    hint: 'Questions may have up to 2,000 characters; shorten it.',
  },
  unknown_datasource: {
    title: 'That datasource does not exist (any more)',
    hint: 'Pick another datasource at the top of the page; the list was reloaded.',
  },
  malformed_json: {
    title: 'The server did not accept the request',
    hint: 'This page and the server may be different versions; reload the page.',
  },
  invalid_sql: {
    title: 'The SQL was not accepted',
    hint: 'Send a single query that is not empty and not overly long.',
  },
  invalid_idempotency_key: {
    title: 'The request carried a malformed Idempotency-Key header',
    hint: 'Use 1 to 128 visible ASCII characters, or leave the header out.',
  },
  invalid_conversation_id: {
    title: 'The conversation id was not accepted',
    hint: 'Reload the page to start a new conversation.',
  },
  conversation_not_found: {
    title: 'This conversation belongs to another API key',
    hint: 'Reload the page to start a new conversation.',
  },
  payload_too_large: {
    title: 'The request is too large',
    hint: 'Shorten the question or the SQL.',
  },
  invalid_job_id: {
    title: 'That job id is not valid',
    hint: 'Ask the question again.',
  },
  job_not_found: {
    title: 'That question is no longer known to the server',
    hint: 'The server may have been started with a fresh data directory. Ask the question again.',
  },
  not_found: {
    title: 'The server does not offer this',
    hint: 'The server may be an older version than this page.',
  },
  invalid_feedback: {
    title: 'The feedback was not accepted',
    hint: 'Check the comment (at most 2,000 characters).',
  },
  job_not_finished: {
    title: 'The answer is not finished yet',
    hint: 'Wait until the job succeeded or failed, then try again.',
  },
  corrected_sql_rejected: {
    title: 'The SQL was refused',
    hint: 'Only a single read-only SELECT query that runs without error is accepted.',
  },
  nothing_to_approve: {
    title: 'There is no SQL to approve',
    hint: 'The job produced no SQL. Write SQL that answers the question, run it, and approve that answer.',
  },
  approval_conflict: {
    title: 'This question already has different approved SQL',
    hint: 'You can replace the approved SQL with this one.',
  },
  job_already_ended: {
    title: 'The job has already ended',
    hint: '',
  },
  rate_limited: {
    title: 'Too many requests for this API key',
    hint: 'The page waits and tries again by itself; if it keeps happening, ask for a higher limit.',
  },
  invalid_mcp_request: {
    title: 'The MCP request was not accepted',
    hint: 'Send JSON-RPC with POST, Content-Type application/json, and Accept for application/json and text/event-stream.',
  },
  request_timeout: {
    title: 'The request took too long',
    hint: 'The server stopped waiting for it; check the connection and try again.',
  },
  too_many_connections: {
    title: 'The server has too many open connections',
    hint: 'Try again in a moment.',
  },
  invalid_parameter: {
    title: 'A parameter was not accepted',
    hint: '',
  },
  chart_not_found: {
    title: 'This answer has no chart',
    hint: 'A chart is drawn when the rows have something to compare, such as a number per category or per date.',
  },
  entry_not_found: {
    title: 'Not found',
    hint: '',
  },
  invalid_upload: {
    title: 'The upload was not accepted',
    hint: 'The datasource name must be snake_case and must not be a demo database or a configured datasource; the file must be a ZIP archive.',
  },
  upload_too_large: {
    title: 'The ZIP file is larger than this server accepts',
    hint: 'Split the tables into several ZIP files and upload them one after another into the same datasource, or ask for a higher limit ("analyst serve --max-upload-mib").',
  },
  uploads_not_supported: {
    title: 'This server does not take uploads',
    hint: 'Load the ZIP with "analyst ingest" on the machine that runs the server instead.',
  },
  invalid_upload_id: {
    title: 'That upload id is not valid',
    hint: 'Upload the file again.',
  },
  upload_not_found: {
    title: 'That upload is no longer known to the server',
    hint: 'The server may have been started with a fresh data directory. Upload the file again.',
  },
  upload_cancelled: {
    title: 'The upload was cancelled',
    hint: 'Nothing was loaded. Choose the file again to upload it.',
  },
  unavailable: {
    title: 'A service the server needs is unavailable',
    hint: 'The database or model may be down or busy. Try again in a moment.',
  },
  internal_error: {
    title: 'The server hit an internal error',
    hint: 'Try again; if it keeps happening, the server log has the details.',
  },
  network_error: {
    title: 'The server could not be reached',
    hint: 'Check that "analyst serve" is still running, then try again.',
  },
  bad_response: {
    title: 'The server sent an unexpected answer',
    hint: 'A proxy in between may have answered instead of the server.',
  },
};

/** `{ title, message, hint, code }` for an ApiError (or any thrown value). */
export function describeApiError(error) {
  const code = error && error.code ? error.code : 'bad_response';
  const known = API_ERRORS[code];
  const message = error && error.message ? error.message : '';
  if (known) return { code, title: known.title, message, hint: known.hint };
  const status = error && error.status ? ` (HTTP ${error.status})` : '';
  return { code, title: `The request failed${status}`, message, hint: '' };
}

const STAGE_NAMES = {
  cache_lookup: 'cache lookup',
  classify: 'classification',
  generate_sql: 'SQL generation',
  execute: 'query execution',
  explain: 'explanation',
  submit: 'submission',
};

const FAILURE_HINTS = {
  invalid_input: 'Try rephrasing the question, naming the tables or columns you mean, or edit the SQL and run it again.',
  transient: 'A service was briefly unavailable; asking again usually works.',
  fatal: 'Something broke inside the server; the server log has the details.',
};

/** `{ title, message, hint }` for a failed job's `error` ({kind, stage, message}). */
export function describeJobFailure(failure) {
  const stage = STAGE_NAMES[failure && failure.stage] || (failure && failure.stage) || 'an unknown stage';
  return {
    title: `The question could not be answered (failed at ${stage})`,
    message: (failure && failure.message) || '',
    hint: FAILURE_HINTS[failure && failure.kind] || '',
  };
}

const UPLOAD_FAILURE_HINTS = {
  invalid_input: 'Nothing was loaded. Fix the file named above and upload the ZIP again.',
  transient: 'A service was briefly unavailable; uploading the same ZIP again usually works.',
  fatal: 'Something broke inside the server; the server log has the details.',
};

/** `{ title, message, hint }` for a failed upload's `failure` ({kind, message, entry}). */
export function describeUploadFailure(failure) {
  const entry = failure && failure.entry;
  return {
    title: entry ? `The upload failed at ${entry}` : 'The upload failed',
    message: (failure && failure.message) || '',
    hint: UPLOAD_FAILURE_HINTS[failure && failure.kind] || '',
  };
}

/** Readable name of a pipeline stage. */
export function stageName(stage) {
  return STAGE_NAMES[stage] || stage;
}
