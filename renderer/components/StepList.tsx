import { useId } from 'react';
import type { LogEntry, OperationStep } from '../stores/install-store.ts';
import { clockTime, logText, OUTCOME_LABELS, stepsDone, stepTitle } from './step-text.ts';

/** The live step list of an install or rollback: each step with a symbol and a word, and what it did. */
export function StepList({ steps, type = 'install', label }: { steps: readonly OperationStep[]; type?: 'install' | 'rollback'; label: string }) {
  return (
    <ol className="step-list" aria-label={label}>
      {steps.map((s) => {
        const outcome = OUTCOME_LABELS[s.outcome];
        return (
          <li key={s.name} className={`step-row step-row-${s.outcome}${s.name === 'rollback' ? ' step-row-undo' : ''}`} data-step={s.name} data-outcome={s.outcome}>
            <span className="step-row-status">
              <span className="status-icon" aria-hidden="true">
                {outcome.icon}
              </span>{' '}
              {outcome.text}
            </span>
            <span className="step-row-title">{stepTitle(s.name, type)}</span>
            {(s.error || s.detail) && (
              <span className="step-row-detail">
                {s.error ? (
                  <>
                    <code>{s.error.code}</code> {s.error.message}
                  </>
                ) : (
                  s.detail
                )}
              </span>
            )}
          </li>
        );
      })}
    </ol>
  );
}

/** Progress in steps: a bar and "3 of 6 steps done". */
export function StepProgress({ steps, title }: { steps: readonly OperationStep[]; title: string }) {
  const id = useId();
  const { done, total } = stepsDone(steps);
  return (
    <div className="progress-row">
      <span id={id} className="visually-hidden">
        {title}
      </span>
      <progress aria-labelledby={id} max={Math.max(1, total)} value={done} />
      <span className="progress-percent progress-steps" data-testid="steps-done">
        {done} of {total} steps
      </span>
    </div>
  );
}

/** The log: every step start and end with the service's recorded time, newest last. */
export function OperationLog({ entries, type = 'install' }: { entries: readonly LogEntry[]; type?: 'install' | 'rollback' }) {
  const id = useId();
  return (
    <div className="log-box">
      <h3 id={id}>Log</h3>
      {/* The log role sits on a wrapper: on the list itself it would hide the list semantics of its items. */}
      <div className="log" role="log" aria-labelledby={id} tabIndex={0}>
        <ol>
          {entries.length === 0 && <li className="muted">Starting…</li>}
          {entries.map((e, i) => (
            <li key={i}>
              <span className="log-time">{clockTime(e.time) || '        '}</span> {logText(e, type)}
            </li>
          ))}
        </ol>
      </div>
    </div>
  );
}
