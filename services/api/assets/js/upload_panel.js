// The "Upload data" panel of the sidebar: a ZIP of CSV files (one folder per table) becomes a
// datasource. The name is checked in the page first; the file is sent with XMLHttpRequest so a
// progress bar can follow the bytes; then the upload is polled every 300 ms and drawn in the
// main column (files checked one by one, tables loaded) until it succeeds, and the datasource
// picker switches to it, or fails, naming the file at fault.

import { append, el, show } from './dom.js';
import { datasourceNameProblem, suggestDatasourceName } from './datasource_name.js';
import { describeApiError, describeUploadFailure } from './error_messages.js';
import { KEY_ERROR_CODES, pollDelayMs, pollErrorAction, sleep } from './polling.js';
import { UPLOAD_STATUS_LABELS, describeUploadProgress, formatBytes, renderUploadDetails } from './upload_status.js';

/** The live region announces the sending progress in steps of this many percent. */
const ANNOUNCE_STEP_PERCENT = 25;

const $ = (id) => document.getElementById(id);

/**
 * Wires the panel (`#upload-panel`) and the upload view of the main column (`#upload-section`)
 * in index.html. `api` is the ApiClient; `onShowDetails()` clears the main column for the
 * upload view; `onUploaded(datasource)` reloads and selects the datasource and resolves to
 * `true` when it is listed; `onKeyLost(error)` runs when the key stops working; `onAsk()`
 * moves to the question box.
 */
export function initUploadPanel({ api, onShowDetails, onUploaded, onKeyLost, onAsk }) {
  const fileInput = $('upload-file');
  const nameInput = $('upload-datasource');
  const controls = [fileInput, nameInput, $('upload-replace'), $('upload-encoding'), $('upload-button')];
  const uploadState = {
    busy: false,
    /** The last name the page suggested; a name the user typed is never overwritten. */
    suggestedName: '',
    cancel: null,
    pollToken: 0,
    lastAnnouncement: '',
    lastPercentAnnounced: -1,
  };

  fileInput.addEventListener('change', () => {
    const file = fileInput.files[0];
    setFieldProblem(fileInput, $('upload-file-error'), null);
    if (!file) return;
    const currentName = nameInput.value.trim();
    if (currentName === '' || currentName === uploadState.suggestedName) {
      uploadState.suggestedName = suggestDatasourceName(file.name);
      nameInput.value = uploadState.suggestedName;
      setFieldProblem(nameInput, $('upload-datasource-error'), null);
    }
  });
  nameInput.addEventListener('input', () => {
    // Clears the message as soon as the name is fixed; a new message waits for the next check.
    if (nameInput.getAttribute('aria-invalid') === 'true' && !datasourceNameProblem(nameInput.value.trim())) {
      setFieldProblem(nameInput, $('upload-datasource-error'), null);
    }
  });
  nameInput.addEventListener('change', () => {
    if (nameInput.value.trim() !== '') {
      setFieldProblem(nameInput, $('upload-datasource-error'), datasourceNameProblem(nameInput.value.trim()));
    }
  });
  $('upload-form').addEventListener('submit', (event) => {
    event.preventDefault();
    startUpload();
  });
  $('upload-cancel').addEventListener('click', () => {
    if (uploadState.cancel) uploadState.cancel();
  });
  $('upload-details-button').addEventListener('click', () => {
    showDetails();
    $('upload-view-heading').focus();
  });

  async function startUpload() {
    if (uploadState.busy) return;
    const file = fileInput.files[0];
    const datasource = nameInput.value.trim();
    const fileProblem = zipFileProblem(file);
    const nameProblem = datasourceNameProblem(datasource);
    setFieldProblem(fileInput, $('upload-file-error'), fileProblem);
    setFieldProblem(nameInput, $('upload-datasource-error'), nameProblem);
    if (fileProblem || nameProblem) {
      (fileProblem ? fileInput : nameInput).focus();
      return;
    }
    nameInput.value = datasource;

    const formData = new FormData();
    formData.append('datasource', datasource);
    formData.append('replace', $('upload-replace').checked ? 'true' : 'false');
    formData.append('encoding', $('upload-encoding').value);
    formData.append('file', file, file.name);

    const hadFocus = document.activeElement === $('upload-button');
    setBusy(true);
    beginSending(file);
    if (hadFocus) $('upload-cancel').focus();
    const sending = api.sendUpload(formData, {
      onProgress: (sentBytes, totalBytes) => drawSent(file, sentBytes, totalBytes),
    });
    uploadState.cancel = sending.cancel;
    let accepted;
    try {
      accepted = await sending.done;
    } catch (error) {
      uploadState.cancel = null;
      finish();
      if (KEY_ERROR_CODES.includes(error.code)) {
        onKeyLost(error);
        return;
      }
      drawRefused(error);
      return;
    }
    uploadState.cancel = null;
    show($('upload-cancel'), false);
    drawSent(file, 1, 1);
    show($('upload-outcome'), false);
    show($('upload-details-button'), true);
    drawUpload(accepted.upload);
    showDetails();
    await followUpload(accepted.upload.upload_id);
  }

  /** Polls the upload every 300 ms and draws it until it succeeds or fails. */
  async function followUpload(uploadId) {
    const token = ++uploadState.pollToken;
    let failures = 0;
    while (token === uploadState.pollToken) {
      await sleep(pollDelayMs(failures));
      if (token !== uploadState.pollToken) return;
      let uploadView;
      try {
        uploadView = await api.getUpload(uploadId);
        failures = 0;
      } catch (error) {
        const next = pollErrorAction(error, failures);
        if (next.kind === 'key_lost') {
          finish();
          onKeyLost(error);
          return;
        }
        if (next.kind === 'give_up') {
          finish();
          drawAlert($('upload-outcome'), describeApiError(error), 'Could not get the progress of the upload.');
          return;
        }
        if (next.kind === 'wait') await sleep(next.ms);
        else failures = next.failures;
        continue;
      }
      if (token !== uploadState.pollToken) return;
      drawUpload(uploadView);
      if (uploadView.status === 'succeeded') {
        await drawSucceeded(uploadView);
        return;
      }
      if (uploadView.status === 'failed') {
        finish();
        drawAlert($('upload-outcome'), describeUploadFailure(uploadView.failure));
        return;
      }
    }
  }

  function setBusy(busy) {
    uploadState.busy = busy;
    for (const control of controls) control.disabled = busy;
  }

  /** Ends the busy state; focus that sat on a control that is now gone returns to the form. */
  function finish(focusTarget = $('upload-button')) {
    const focusLost = document.activeElement === document.body || document.activeElement === $('upload-cancel');
    setBusy(false);
    show($('upload-cancel'), false);
    if (focusLost) focusTarget.focus();
  }

  function beginSending(file) {
    uploadState.pollToken += 1;
    uploadState.lastPercentAnnounced = -1;
    uploadState.lastAnnouncement = '';
    const panel = $('upload-panel');
    panel.dataset.status = 'sending';
    delete panel.dataset.uploadId;
    show($('upload-progress'), true);
    show($('upload-cancel'), true);
    show($('upload-details-button'), false);
    show($('upload-error'), false);
    setStatusPill($('upload-status'), 'sending');
    $('upload-phase').textContent = '';
    $('upload-file-name').textContent = `${file.name} (${formatBytes(file.size)})`;
    drawSent(file, 0, 1);
    // The form sits at the foot of the sidebar: bring the bar into view under it.
    $('upload-progress').scrollIntoView({ block: 'nearest' });
  }

  function drawSent(file, sentBytes, totalBytes) {
    const percent = totalBytes > 0 ? Math.min(100, Math.floor((sentBytes * 100) / totalBytes)) : 0;
    const sentOfFile = Math.min(file.size, Math.round((file.size * percent) / 100));
    const text = percent === 100
      ? `Sent ${formatBytes(file.size)}`
      : `Sending: ${percent}% (${formatBytes(sentOfFile)} of ${formatBytes(file.size)})`;
    const bar = $('upload-bar');
    bar.setAttribute('aria-valuenow', String(percent));
    bar.setAttribute('aria-valuetext', text);
    $('upload-bar-fill').style.width = `${percent}%`;
    $('upload-sent').textContent = text;
    const step = Math.floor(percent / ANNOUNCE_STEP_PERCENT) * ANNOUNCE_STEP_PERCENT;
    if (step > uploadState.lastPercentAnnounced) {
      uploadState.lastPercentAnnounced = step;
      announce(percent === 100 ? `${text}.` : `Sending the file: ${step}%.`);
    }
  }

  function showDetails() {
    onShowDetails();
    show($('upload-section'), true);
  }

  function drawUpload(uploadView) {
    const panel = $('upload-panel');
    panel.dataset.status = uploadView.status;
    panel.dataset.uploadId = uploadView.upload_id;
    const section = $('upload-section');
    section.dataset.status = uploadView.status;
    section.dataset.uploadId = uploadView.upload_id;
    setStatusPill($('upload-status'), uploadView.status);
    setStatusPill($('upload-view-status'), uploadView.status);
    $('upload-view-heading').textContent = `${uploadView.file_name} into ${uploadView.datasource}`;
    const progress = describeUploadProgress(uploadView);
    $('upload-phase').textContent = progress;
    $('upload-view-phase').textContent = progress;
    announce(progress);
    $('upload-details').replaceChildren(...renderUploadDetails(uploadView));
  }

  async function drawSucceeded(uploadView) {
    const listed = await onUploaded(uploadView.datasource);
    const tables = uploadView.tables || [];
    const nTables = `${tables.length} table${tables.length === 1 ? '' : 's'}`;
    const askButton = el('button', { type: 'button', id: 'upload-ask-button', className: 'button-small', onclick: () => onAsk() },
      `Ask about ${uploadView.datasource}`);
    const alert = $('upload-outcome');
    alert.className = 'alert alert-ok';
    alert.setAttribute('role', 'status');
    alert.replaceChildren();
    append(alert, [
      el('strong', {}, `${uploadView.datasource} is ready`),
      el('p', {}, listed
        ? `${nTables} loaded. The datasource is selected at the top of the page: ask a question about it.`
        : `${nTables} loaded, but the datasource list could not be refreshed; reload the page to pick it.`),
      listed ? el('p', {}, askButton) : null,
    ]);
    show(alert, true);
    announce(`Loaded ${nTables} into ${uploadView.datasource}; it is now the selected datasource.`);
    finish(listed ? askButton : $('upload-button'));
  }

  /** The upload was not accepted, so nothing reached the server's queue. */
  function drawRefused(error) {
    const panel = $('upload-panel');
    panel.dataset.status = 'refused';
    setStatusPill($('upload-status'), 'refused');
    $('upload-phase').textContent = '';
    const described = describeApiError(error);
    if (error.code === 'network_error') {
      described.hint = `${described.hint} A file larger than the server accepts is also cut off this way.`;
    }
    if (error.code === 'rate_limited' && error.retryAfterSeconds) {
      described.hint = `Try again in ${error.retryAfterSeconds} s.`;
    }
    drawAlert($('upload-error'), described);
  }

  /** An error in `alert`: the sidebar's (the request) or the upload view's (the upload). */
  function drawAlert(alert, described, context = '') {
    alert.className = 'alert alert-error';
    alert.setAttribute('role', 'alert');
    alert.replaceChildren();
    append(alert, [
      el('strong', {}, context ? `${context} ${described.title}.` : described.title),
      described.message ? el('p', {}, described.message) : null,
      described.hint ? el('p', {}, described.hint) : null,
    ]);
    show(alert, true);
  }

  function setStatusPill(pill, status) {
    pill.textContent = UPLOAD_STATUS_LABELS[status] || status;
    const tone = { succeeded: 'succeeded', failed: 'failed', refused: 'failed' }[status] || 'running';
    pill.className = `status-pill status-${tone}`;
  }

  function announce(text) {
    if (text && text !== uploadState.lastAnnouncement) {
      uploadState.lastAnnouncement = text;
      $('upload-live').textContent = text;
    }
  }
}

/** Why `file` cannot be uploaded, or null. */
function zipFileProblem(file) {
  if (!file) return 'Choose a ZIP file to upload.';
  if (!/\.zip$/i.test(file.name)) return `"${file.name}" is not a .zip file. Put the CSV files in folders (one per table) and zip them.`;
  if (file.size === 0) return `"${file.name}" is empty.`;
  return null;
}

/** Shows `problem` (or clears it with null) under a field and marks the field invalid. */
function setFieldProblem(field, messageElement, problem) {
  messageElement.textContent = problem || '';
  if (problem) field.setAttribute('aria-invalid', 'true');
  else field.removeAttribute('aria-invalid');
}

