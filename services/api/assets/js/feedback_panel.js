// Approve / Reject of a finished answer (POST /v1/questions/{id}/feedback). An approval puts the
// question and its SQL in the semantic cache and the few-shot memory, so the same question is
// answered from the cache next time.

import { clear, el } from './dom.js';
import { describeApiError } from './error_messages.js';

/**
 * Draws the feedback controls of `jobView` into `container`. `api` is the ApiClient;
 * `onRecorded(record)` runs after the server stored the feedback.
 */
export function renderFeedbackPanel(container, jobView, { api, onRecorded }) {
  clear(container);
  const terminal = jobView.status === 'succeeded' || jobView.status === 'failed';
  if (!terminal) return;
  const feedback = jobView.feedback || [];
  if (feedback.length > 0) {
    container.append(recordedNotice(feedback[feedback.length - 1]));
    return;
  }

  const status = el('div', { className: 'feedback-status', 'aria-live': 'polite' });
  const approveButton = el('button', { type: 'button', className: 'button-approve', id: 'approve-button' }, 'Approve');
  const rejectButton = el('button', { type: 'button', className: 'button-reject', id: 'reject-button' }, 'Reject');
  const commentLabel = el('label', { for: 'reject-comment' }, 'What is wrong with this answer? (optional)');
  const comment = el('textarea', { id: 'reject-comment', rows: '2', maxlength: '2000' });
  const sendRejectButton = el('button', { type: 'button', className: 'button-reject', id: 'send-reject-button' }, 'Send rejection');
  const cancelButton = el('button', { type: 'button', className: 'button-secondary' }, 'Cancel');
  const rejectForm = el('div', { className: 'reject-form', hidden: true }, commentLabel, comment, el('div', { className: 'button-row' }, sendRejectButton, cancelButton));
  const canApprove = jobView.status === 'succeeded' && Boolean(jobView.sql);
  approveButton.disabled = !canApprove;
  if (!canApprove) approveButton.title = 'Only an answered question with SQL can be approved';

  const setBusy = (busy) => {
    for (const button of [approveButton, rejectButton, sendRejectButton, cancelButton]) button.disabled = busy;
    if (!busy) approveButton.disabled = !canApprove;
  };
  const send = async (body) => {
    setBusy(true);
    status.replaceChildren(el('span', { className: 'help-text' }, 'Saving…'));
    try {
      const record = await api.giveFeedback(jobView.job_id, body);
      clear(container);
      container.append(recordedNotice(record));
      container.querySelector('.alert').focus();
      onRecorded(record);
    } catch (error) {
      setBusy(false);
      const described = describeApiError(error);
      const parts = [el('strong', {}, described.title), el('p', {}, described.message)];
      if (described.hint) parts.push(el('p', {}, described.hint));
      if (error.code === 'approval_conflict' && body.verdict === 'approve') {
        parts.push(el('p', {}, el('button', {
          type: 'button',
          className: 'button-approve',
          onclick: () => send({ ...body, replace_existing: true }),
        }, 'Approve and replace the existing SQL')));
      }
      status.replaceChildren(el('div', { className: 'alert alert-error', role: 'alert' }, ...parts));
    }
  };

  approveButton.addEventListener('click', () => send({ verdict: 'approve' }));
  rejectButton.addEventListener('click', () => {
    rejectForm.hidden = false;
    comment.focus();
  });
  cancelButton.addEventListener('click', () => {
    rejectForm.hidden = true;
    rejectButton.focus();
  });
  sendRejectButton.addEventListener('click', () => {
    const text = comment.value.trim();
    send(text ? { verdict: 'reject', comment: text } : { verdict: 'reject' });
  });
  comment.addEventListener('keydown', (event) => {
    if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) sendRejectButton.click();
  });

  container.append(
    el('div', { className: 'button-row' },
      el('span', { className: 'help-text', id: 'feedback-question' }, 'Is this answer right?'),
      approveButton,
      rejectButton),
    rejectForm,
    status,
  );
}

function recordedNotice(record) {
  const approved = record.verdict === 'approve';
  const by = record.given_by ? ` by ${record.given_by}` : '';
  const detail = approved
    ? 'The question and its SQL were saved to the cache: asking it again is answered from there.'
    : (record.comment ? `Comment: ${record.comment}` : 'Thanks — the answer is marked as wrong.');
  return el(
    'div',
    { className: `alert ${approved ? 'alert-ok' : 'alert-warn'}`, tabindex: '-1', 'data-verdict': record.verdict },
    el('strong', {}, approved ? `Approved${by}` : `Rejected${by}`),
    el('p', {}, detail),
  );
}
