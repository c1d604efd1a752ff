import { useEffect, useRef } from 'react';
import type { ErrorPayload } from '../../shared/airlock-error.ts';
import { ERROR_CATALOG, isErrorCode } from '../../shared/error-catalog.ts';
import { ErrorCard } from '../components/ErrorCard.tsx';
import { EvidencePanel } from '../components/EvidencePanel.tsx';
import { Facts } from '../components/Facts.tsx';
import { formatDate } from '../components/dates.ts';
import { useFocusOnMount, useFocusWhen } from '../components/focus.ts';
import { StepList, StepProgress } from '../components/StepList.tsx';
import { useApp, useReleases, useStoresApi } from '../stores/app-stores.ts';
import type { HistoryOperation, ReleasesList, RetainedRelease, RollbackPlanResult } from '../stores/releases-store.ts';

const OPERATION_STATUS = {
  succeeded: { icon: '✓', text: 'Succeeded', css: 'pass' },
  failed: { icon: '✕', text: 'Failed', css: 'fail' },
  interrupted: { icon: '!', text: 'Interrupted', css: 'warn' },
  running: { icon: '▶', text: 'Running', css: 'skip' },
} as const;

function statusOf(op: HistoryOperation) {
  return OPERATION_STATUS[op.status as keyof typeof OPERATION_STATUS] ?? { icon: '?', text: op.status, css: 'skip' as const };
}

function backupText(r: RetainedRelease): string {
  if (r.active) return 'in use';
  if (!r.leftBackup) return 'no backup recorded: cannot be rolled back to';
  const problems = r.leftBackup.databases.map((d) => d.problem).filter((p): p is string => p !== null);
  if (problems.length > 0) return `backup unusable: ${problems.join('; ')}`;
  return `taken when it was left (operation ${r.leftBackup.operationId}, ${formatDate(r.leftBackup.takenAt)})`;
}

function RetainedTable({ list, onRollback }: { list: ReleasesList; onRollback(version: string, opener: HTMLButtonElement): void }) {
  const { status } = list;
  const busy = useReleases((s) => s.rollback.status === 'running');
  return (
    <div className="table-scroll">
      <table className="data-table" data-testid="retained-releases">
        <caption>Releases kept in the install root (newest first)</caption>
        <thead>
          <tr>
            <th scope="col">Version</th>
            <th scope="col">State</th>
            <th scope="col">Activated</th>
            <th scope="col">Database backup</th>
            <th scope="col">
              <span className="visually-hidden">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {status.releases.map((r) => (
            <tr key={r.version} className={r.active ? 'row-active' : undefined}>
              <th scope="row">
                {status.name} {r.version}
              </th>
              <td>
                {r.active ? (
                  <span className="status status-pass">
                    <span className="status-icon" aria-hidden="true">
                      ●
                    </span>{' '}
                    Active
                  </span>
                ) : (
                  <span>Retained{r.rollbackTarget ? ' (the previous release)' : ''}</span>
                )}
                {!r.dirPresent && <p className="status status-fail small">Release folder missing</p>}
              </td>
              <td>{formatDate(r.activatedAt)}</td>
              <td className="small">{backupText(r)}</td>
              <td>
                {!r.active && (
                  <button type="button" className="button small secondary" disabled={busy} onClick={(e) => onRollback(r.version, e.currentTarget)}>
                    Roll back to {r.version}
                  </button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function HistoryTable({ list }: { list: ReleasesList }) {
  if (list.history.length === 0) return <p>No operations on this install root yet.</p>;
  return (
    <div className="table-scroll">
      <table className="data-table" data-testid="operation-history">
        <caption>History of operations on this install root (newest first)</caption>
        <thead>
          <tr>
            <th scope="col">Operation</th>
            <th scope="col">What</th>
            <th scope="col">Result</th>
            <th scope="col">Started</th>
            <th scope="col">Why it failed</th>
          </tr>
        </thead>
        <tbody>
          {list.history.map((op) => {
            const s = statusOf(op);
            return (
              <tr key={op.id}>
                <th scope="row">{op.id}</th>
                <td>
                  {op.type === 'rollback' ? 'Rollback' : `Install (${op.kind ?? 'install'})`} {op.from ? `${op.from} → ` : ''}
                  {op.to ?? ''}
                </td>
                <td>
                  <span className={`status status-${s.css}`}>
                    <span className="status-icon" aria-hidden="true">
                      {s.icon}
                    </span>{' '}
                    {s.text}
                  </span>
                </td>
                <td>{formatDate(op.startedAt)}</td>
                <td className="small">
                  {op.error ? (
                    <>
                      {op.failedStep ? `${op.failedStep} step: ` : ''}
                      <code>{op.error.code}</code>
                    </>
                  ) : (
                    <span className="muted">–</span>
                  )}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
      {list.moreHistory && <p className="muted small">Older operations are in the audit log (Audit, or "airlock audit list").</p>}
    </div>
  );
}

function issuePayload(b: RollbackPlanResult['plan']['blockers'][number]): ErrorPayload {
  const code = isErrorCode(b.code) ? b.code : 'ROLLBACK_UNAVAILABLE';
  return { code, message: b.message, remedy: ERROR_CATALOG[code].remedy, ...(b.path !== undefined ? { path: b.path } : {}) };
}

/** The confirmation: a modal dialog naming exactly what will be restored. */
function RollbackDialog({ name, onClosed }: { name: string; onClosed(): void }) {
  const { releases } = useStoresApi();
  const target = useReleases((s) => s.rollbackTarget);
  const planState = useReleases((s) => s.rollbackPlan);
  const ref = useRef<HTMLDialogElement>(null);
  const keep = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    const dialog = ref.current;
    if (target === null || !dialog || dialog.open) return;
    dialog.showModal();
    // Start on the safe choice: Enter right away keeps the current release.
    keep.current?.focus();
  }, [target]);
  if (target === null) return null;
  const plan = planState.result?.plan;
  const blocked = !plan || plan.blockers.length > 0;
  const close = (): void => {
    releases.getState().closeRollback();
    onClosed();
  };
  return (
    <dialog
      ref={ref}
      className="dialog"
      aria-labelledby="rollback-title"
      aria-describedby="rollback-what"
      data-testid="rollback-dialog"
      onCancel={(e) => {
        e.preventDefault();
        close();
      }}
    >
      <h2 id="rollback-title">
        Roll {name} back to {target}?
      </h2>
      {planState.status === 'running' && <p role="status">Checking the release folder and the backup…</p>}
      {planState.error && <ErrorCard error={planState.error} focus={false} />}
      {plan && (
        <div id="rollback-what">
          <p>
            {name} <strong>{plan.from}</strong> is active now. Airlock will make <strong>{plan.to}</strong> active again:
          </p>
          <ul className="plain-list">
            {plan.restore && (
              <li>
                <strong>Restored:</strong> the databases as they were when {plan.to} was left — the backup of operation {plan.restore.operationId}, taken{' '}
                {formatDate(plan.restore.takenAt)}:{' '}
                {plan.restore.databases.map((d) => `${d.id} (${d.state === 'absent' ? 'did not exist then; removed' : `sha256 ${d.sha256?.slice(0, 12)}…`})`).join(', ')}.
              </li>
            )}
            <li>
              <strong>Backed up first:</strong> {plan.backUp.length ? plan.backUp.map((d) => d.id).join(', ') : 'no databases'}, kept as the data of {plan.from}, so
              you can return to it.
            </li>
            <li>
              <strong>Checked:</strong> the release folder of {plan.to} against its signed release, then {plan.health.length} health{' '}
              {plan.health.length === 1 ? 'check' : 'checks'} after the switch.
            </li>
            {plan.retention.wouldPrune.length > 0 && (
              <li>
                <strong>Removed afterwards:</strong> {plan.retention.wouldPrune.join(', ')} (Airlock keeps {plan.retention.keep} releases).
              </li>
            )}
          </ul>
          <p className="small muted">Changes made to the data since {plan.to} was left are not kept in {plan.to}; they stay in the backup of {plan.from}.</p>
          {plan.blockers.map((b, i) => (
            <ErrorCard key={`${b.code}-${i}`} error={issuePayload(b)} focus={false} />
          ))}
        </div>
      )}
      <div className="actions">
        <button ref={keep} type="button" className="button secondary" onClick={close}>
          Keep {plan?.from ?? 'the current release'}
        </button>
        <button type="button" className="button danger" disabled={blocked} onClick={() => void releases.getState().confirmRollback()}>
          Roll back to {target}
        </button>
      </div>
    </dialog>
  );
}

function RollbackRun({ name }: { name: string }) {
  const run = useReleases((s) => s.rollback);
  // Focus follows the rollback: to this card when it starts (the dialog is gone), and again when it ends.
  const heading = useFocusWhen<HTMLHeadingElement>(run.status === 'idle' ? null : `${run.operationId}-${run.status}`);
  if (run.status === 'idle') return null;
  return (
    <section
      className={`card ${run.status === 'done' ? 'card-ok' : run.status === 'failed' ? 'card-error' : 'progress-card'}`}
      aria-labelledby="rollback-run-title"
      aria-busy={run.status === 'running'}
      data-testid="rollback-run"
    >
      <h2 id="rollback-run-title" ref={heading} tabIndex={-1}>
        {run.status === 'running' && 'Rolling back'}
        {run.status === 'done' && run.result && (
          <>
            <span className="status-icon" aria-hidden="true">
              ✓
            </span>{' '}
            Rolled back: {name} {run.result.active} is active again
          </>
        )}
        {run.status === 'failed' && 'The rollback did not complete'}
      </h2>
      {run.status === 'running' && (
        <>
          <StepProgress steps={run.steps} title="Rollback progress" />
          <p className="small">A rollback cannot be cancelled once it has started; it undoes itself if a step fails.</p>
        </>
      )}
      {run.status === 'done' && run.result && (
        <Facts
          items={[
            ['Operation', String(run.result.operationId)],
            ['From → to', `${run.result.from} → ${run.result.to}`],
            ['Restored', run.result.restored.length ? run.result.restored.map((d) => `${d.id} ${d.sha256 === null ? '(removed)' : `sha256 ${d.sha256.slice(0, 12)}…`}`).join(', ') : 'no databases'],
            ['Health checks', `${run.result.health.filter((h) => h.ok).length} of ${run.result.health.length} passed`],
          ]}
        />
      )}
      {run.status === 'failed' && run.error && <ErrorCard error={run.error} focus={false} />}
      <StepList steps={run.steps} type="rollback" label="Rollback steps" />
    </section>
  );
}

export function ReleasesScreen() {
  const heading = useFocusOnMount<HTMLHeadingElement>();
  const { releases, app } = useStoresApi();
  const list = useReleases((s) => s.list);
  const run = useReleases((s) => s.rollback);
  const info = useApp((s) => s.info);
  const opener = useRef<HTMLButtonElement | null>(null);
  useEffect(() => {
    void releases.getState().load();
  }, [releases]);
  const value = list.value;
  const name = value?.status.name ?? '';
  return (
    <>
      <h1 ref={heading} tabIndex={-1}>
        Releases
      </h1>
      <p className="lead">What is installed, what is kept to go back to, and everything done to the install root.</p>
      {list.status === 'running' && !value && <p role="status">Reading the install root…</p>}
      {list.error && (
        <ErrorCard error={list.error} focus={false}>
          {list.error.code === 'INSTALL_ROOT_UNSET' && info?.capabilities.nativeDialog && (
            <button type="button" className="button" onClick={() => app.getState().show('settings')}>
              Open Settings
            </button>
          )}
        </ErrorCard>
      )}
      {value && (
        <>
          <section className="card" aria-labelledby="installed-title" data-testid="installed">
            <h2 id="installed-title">{value.status.active ? `${name} ${value.status.active} is active` : 'Nothing is installed'}</h2>
            <Facts
              items={[
                ['Install root', <code className="wrap">{value.status.root}</code>],
                ['Active release', value.status.active ? `${name} ${value.status.active}` : 'none'],
                ['Switch', value.status.switchStrategy === 'symlink' ? 'the symlink “current”' : 'the pointer file current.json'],
                ['Releases kept', `${value.status.releases.length} (at most ${value.status.keep})`],
              ]}
            />
            {value.status.busy && (
              <p className="notice">
                Another Airlock process is working on this install root: “{value.status.busy.command}” (process {value.status.busy.pid} on {value.status.busy.host}).
                What you see may change when it finishes.
              </p>
            )}
            {value.status.recovery && <p className="notice">Airlock finished an interrupted operation first: {value.status.recovery.message}.</p>}
          </section>
          <RollbackRun name={name} />
          {run.status === 'done' && run.result && <EvidencePanel operation={run.result.operationId} what={`the rollback to ${name} ${run.result.to}`} />}
          {value.status.releases.length > 0 && (
            <section className="card" aria-labelledby="retained-title">
              <h2 id="retained-title">Retained releases</h2>
              <p>
                Rolling back makes an older release active again and restores the database backup taken when that release was left. Airlock asks before it
                starts.
              </p>
              <RetainedTable
                list={value}
                onRollback={(version, button) => {
                  opener.current = button;
                  void releases.getState().askRollback(version);
                }}
              />
            </section>
          )}
          <section className="card" aria-labelledby="history-title">
            <h2 id="history-title">History</h2>
            <HistoryTable list={value} />
          </section>
          <RollbackDialog name={name} onClosed={() => opener.current?.focus()} />
        </>
      )}
    </>
  );
}
