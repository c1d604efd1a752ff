import { useId } from 'react';
import type { ProgressEvent } from '../../shared/progress.ts';
import { describeProgress } from './progress-text.ts';

export function ProgressPanel({ title, progress, cancelling, onCancel }: { title: string; progress: ProgressEvent | null; cancelling: boolean; onCancel(): void }) {
  const id = useId();
  const text = describeProgress(progress);
  return (
    <section className="card progress-card" aria-labelledby={`${id}-title`} aria-busy="true">
      <h2 id={`${id}-title`}>{title}</h2>
      <div className="progress-row">
        {text.percent === null ? (
          <progress aria-labelledby={`${id}-title`} />
        ) : (
          <progress aria-labelledby={`${id}-title`} max={100} value={text.percent} />
        )}
        <span className="progress-percent" data-testid="progress-percent">
          {text.percent === null ? '…' : `${text.percent} %`}
        </span>
      </div>
      <dl className="facts compact progress-facts">
        <div>
          <dt>Read</dt>
          <dd>{text.amount}</dd>
        </div>
        <div>
          <dt>Speed</dt>
          <dd>{text.speed ?? 'measuring…'}</dd>
        </div>
        <div>
          <dt>Time left</dt>
          <dd>{text.timeLeft ?? 'estimating…'}</dd>
        </div>
        {text.items && (
          <div>
            <dt>Files</dt>
            <dd>{text.items}</dd>
          </div>
        )}
      </dl>
      <div className="actions">
        <button type="button" className="button secondary" onClick={onCancel} disabled={cancelling}>
          {cancelling ? 'Cancelling…' : 'Cancel'}
        </button>
      </div>
    </section>
  );
}
