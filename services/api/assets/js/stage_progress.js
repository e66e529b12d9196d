// The pipeline's stages as a row of boxes: waiting, running, done (with its time), failed or
// skipped, read from JobView.timings on every poll.

import { clear, el } from './dom.js';

/** The stages in pipeline order, with their labels. */
export const STAGES = [
  { stage: 'cache_lookup', label: 'Cache' },
  { stage: 'classify', label: 'Classify' },
  { stage: 'generate_sql', label: 'Generate SQL' },
  { stage: 'execute', label: 'Execute' },
  { stage: 'explain', label: 'Explain' },
];

/** Redraws `list` (an <ol>) for `jobView`. */
export function renderStages(list, jobView) {
  clear(list);
  // Stages this page does not know yet (added to the pipeline later) are shown after the rest.
  const known = new Set(STAGES.map(({ stage }) => stage));
  const extra = [...new Set((jobView.timings || []).map((timing) => timing.stage))]
    .filter((stage) => !known.has(stage))
    .map((stage) => ({ stage, label: stage.replaceAll('_', ' ') }));
  for (const { stage, label } of [...STAGES, ...extra]) {
    const progress = stageProgress(jobView, stage);
    list.append(
      el(
        'li',
        { className: `stage stage-${progress.state}`, 'data-stage': stage, 'data-state': progress.state },
        el('span', { className: 'stage-name' }, label),
        el('span', { className: 'stage-state' }, progress.text),
      ),
    );
  }
}

/** One sentence for screen readers about where the job is. */
export function describeProgress(jobView) {
  if (jobView.status === 'succeeded') return `Answered in ${formatMs(totalMs(jobView))}.`;
  if (jobView.status === 'failed') return 'The question could not be answered.';
  const running = STAGES.find(({ stage }) => stageProgress(jobView, stage).state === 'running');
  return running ? `Running: ${running.label}.` : 'Waiting to start.';
}

/** `{ state, text }` of one stage: state is waiting, running, ok, error or skipped. */
export function stageProgress(jobView, stage) {
  const runs = (jobView.timings || []).filter((timing) => timing.stage === stage);
  const terminal = jobView.status === 'succeeded' || jobView.status === 'failed';
  if (runs.length === 0) {
    return terminal ? { state: 'skipped', text: 'skipped' } : { state: 'waiting', text: 'waiting' };
  }
  const last = runs[runs.length - 1];
  const durationMs = runs.reduce((sum, timing) => sum + (timing.duration_ms ?? 0), 0);
  const repeats = runs.length > 1 ? ` ×${runs.length}` : '';
  if (last.outcome === 'running' || last.duration_ms === null || last.duration_ms === undefined) {
    return terminal ? { state: 'error', text: 'interrupted' } : { state: 'running', text: `running${repeats}` };
  }
  if (last.outcome === 'error') return { state: 'error', text: `failed after ${formatMs(durationMs)}${repeats}` };
  return { state: 'ok', text: `${formatMs(durationMs)}${repeats}` };
}

function totalMs(jobView) {
  return (jobView.timings || []).reduce((sum, timing) => sum + (timing.duration_ms ?? 0), 0);
}

/** `850 ms`, `1.2 s`. */
export function formatMs(milliseconds) {
  if (milliseconds < 1000) return `${Math.round(milliseconds)} ms`;
  return `${(milliseconds / 1000).toFixed(milliseconds < 10_000 ? 1 : 0)} s`;
}
