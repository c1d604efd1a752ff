// Install and rollback steps in plain words. The names are the install
// service's own (the ones the evidence report lists); a step's status is
// always a word and a symbol, never a colour alone.
import type { LogEntry, OperationStep } from '../stores/install-store.ts';

const INSTALL_TITLES: Readonly<Record<string, string>> = {
  backup: 'Back up the databases',
  materialize: 'Write the release files and check every digest',
  migrate: 'Run the database migrations',
  switch: 'Switch to the new release',
  health: 'Run the health checks',
  commit: 'Commit and tidy up',
  rollback: 'Automatic rollback: restore the databases and the previous release',
};

const ROLLBACK_TITLES: Readonly<Record<string, string>> = {
  backup: 'Back up the current databases',
  restore: 'Restore the databases from the backup',
  switch: 'Switch back to the release',
  health: 'Run the health checks',
  commit: 'Commit and tidy up',
  rollback: 'Undo: restore the databases and the release that was active',
};

export function stepTitle(name: string, type: 'install' | 'rollback' = 'install'): string {
  return (type === 'install' ? INSTALL_TITLES : ROLLBACK_TITLES)[name] ?? name;
}

export const OUTCOME_LABELS: Readonly<Record<OperationStep['outcome'], { icon: string; text: string }>> = {
  pending: { icon: '○', text: 'Waiting' },
  running: { icon: '▶', text: 'In progress' },
  succeeded: { icon: '✓', text: 'Done' },
  failed: { icon: '✕', text: 'Failed' },
  skipped: { icon: '–', text: 'Not run' },
  interrupted: { icon: '!', text: 'Interrupted' },
};

/** "12:00:03" from an ISO time (UTC, as every time in the window). */
export function clockTime(iso: string | null): string {
  if (iso === null) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  return d.toISOString().slice(11, 19);
}

export function logText(entry: LogEntry, type: 'install' | 'rollback' = 'install'): string {
  if (entry.outcome === 'requested-cancel') return 'Cancel requested: Airlock stops at the next safe point and undoes what it did.';
  if (entry.outcome === 'cancel-refused') return 'Too late to cancel: the switch to the new release had begun, so the install runs to its end.';
  const title = stepTitle(entry.step, type);
  const what = entry.outcome === 'running' ? 'started' : OUTCOME_LABELS[entry.outcome].text.toLowerCase();
  return `${title}: ${what}${entry.detail ? ` — ${entry.detail}` : ''}`;
}

/** How far the operation is: finished steps of all steps. */
export function stepsDone(steps: readonly OperationStep[]): { done: number; total: number } {
  const total = steps.filter((s) => s.name !== 'rollback').length;
  const done = steps.filter((s) => s.name !== 'rollback' && (s.outcome === 'succeeded' || s.outcome === 'failed' || s.outcome === 'skipped')).length;
  return { done, total };
}
