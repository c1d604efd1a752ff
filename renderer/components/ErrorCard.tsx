import { useId, type ReactNode } from 'react';
import type { ErrorPayload } from '../../shared/airlock-error.ts';
import { ERROR_CATALOG } from '../../shared/error-catalog.ts';
import { useFocusWhen } from './focus.ts';

/**
 * Every error the same way: the stable code, the plain title from the one
 * error table, what happened, what it concerns, and what to do next.
 */
export function ErrorCard({ error, children, focus = true }: { error: ErrorPayload; children?: ReactNode; focus?: boolean }) {
  const id = useId();
  const heading = useFocusWhen<HTMLHeadingElement>(focus ? error : null);
  const entry = ERROR_CATALOG[error.code] ?? ERROR_CATALOG.INTERNAL;
  const calm = error.code === 'CANCELLED';
  return (
    <section className={`card ${calm ? 'card-notice' : 'card-error'}`} aria-labelledby={`${id}-title`} data-error-code={error.code}>
      <div role="alert">
        <h2 id={`${id}-title`} ref={heading} tabIndex={-1}>
          <span className="status-icon" aria-hidden="true">{calm ? '■' : '✕'}</span> {entry.title}
        </h2>
        <p className="error-code">
          Error code <code>{error.code}</code>
        </p>
        <p className="error-message">{error.message}</p>
      </div>
      {(error.path !== undefined || error.field !== undefined) && (
        <dl className="facts compact">
          {error.path !== undefined && (
            <div>
              <dt>Concerns</dt>
              <dd>
                <code className="wrap">{error.path}</code>
              </dd>
            </div>
          )}
          {error.field !== undefined && (
            <div>
              <dt>Field</dt>
              <dd>
                <code>{error.field}</code>
              </dd>
            </div>
          )}
        </dl>
      )}
      <h3>What to do</h3>
      <p className="remedy">{error.remedy}</p>
      {children && <div className="actions">{children}</div>}
    </section>
  );
}
