import { useEffect } from 'react';
import { ErrorCard } from '../components/ErrorCard.tsx';
import { EvidencePanel } from '../components/EvidencePanel.tsx';
import { useFocusOnMount, useFocusWhen } from '../components/focus.ts';
import { OperationLog, StepList, StepProgress } from '../components/StepList.tsx';
import { useInstall, useStoresApi } from '../stores/app-stores.ts';
import type { StepRun, InstallResult } from '../stores/install-store.ts';

function RunningCard({ run }: { run: StepRun<InstallResult> }) {
  const { install } = useStoresApi();
  return (
    <section className="card progress-card" aria-labelledby="install-running" aria-busy="true" data-testid="install-running">
      <h2 id="install-running">Installing</h2>
      <StepProgress steps={run.steps} title="Install progress" />
      <StepList steps={run.steps} label="Install steps" />
      <div className="cancel-box" aria-live="polite">
        {run.cancellable ? (
          <>
            <p className="small">
              <strong>Cancel</strong> stops the install at the next safe point; Airlock then restores the databases and the release that was active. This is
              possible until the switch to the new release begins.
            </p>
            <button type="button" className="button secondary" disabled={run.cancelRequested} onClick={() => void install.getState().cancelInstall()}>
              {run.cancelRequested ? 'Cancelling…' : 'Cancel the install'}
            </button>
          </>
        ) : (
          <p className="small">
            The switch to the new release has begun: the install can no longer be cancelled. It finishes, or, if a check fails, Airlock restores the previous
            release by itself.
          </p>
        )}
      </div>
      <OperationLog entries={run.log} />
    </section>
  );
}

/** What the automatic rollback did, from the error's details and the recorded steps. */
function FailureCard({ run }: { run: StepRun<InstallResult> }) {
  const { flow, install } = useStoresApi();
  const heading = useFocusWhen<HTMLHeadingElement>(run.error);
  const error = run.error!;
  const details = error.details ?? {};
  const active = typeof details.active === 'string' ? details.active : null;
  const failedStep = typeof details.failedStep === 'string' ? details.failedStep : null;
  const restored = Array.isArray(details.restored) ? (details.restored as Array<{ id?: unknown; sha256?: unknown }>) : [];
  const undone = run.steps.some((s) => s.name === 'rollback');
  const cancelled = error.code === 'CANCELLED';
  const release = useInstall((s) => s.release);
  return (
    <>
      <ErrorCard error={error} focus={false} />
      <section className="card card-notice" aria-labelledby="install-undone" data-testid="install-failed">
        <h2 id="install-undone" ref={heading} tabIndex={-1}>
          {!undone ? 'Nothing was installed' : cancelled ? 'Cancelled: Airlock undid the install' : 'Airlock rolled the install back'}
        </h2>
        {undone ? (
          <p data-testid="still-active">
            {failedStep ? (cancelled ? `You cancelled during the ${failedStep} step, so ` : `The ${failedStep} step failed, so `) : ''}Airlock{' '}
            {restored.length > 0 ? `restored ${restored.length === 1 ? 'the database' : `${restored.length} databases`} byte for byte and ` : ''}
            {active ? (
              <>
                kept the previous release: <strong>{release?.name} {active} is still active</strong>.
              </>
            ) : (
              'left no release active (this was a first install).'
            )}
          </p>
        ) : (
          <p>The install stopped before it changed anything.</p>
        )}
        <StepList steps={run.steps} label="What happened, step by step" />
        <OperationLog entries={run.log} />
        <div className="actions">
          <button
            type="button"
            className="button"
            onClick={() => {
              install.getState().reset();
              flow.getState().backToPlan();
            }}
          >
            Back to the plan
          </button>
          <button type="button" className="button secondary" onClick={() => flow.getState().startOver()}>
            Choose another kit
          </button>
        </div>
      </section>
      <EvidencePanel operation={run.catalogOperationId} what="this failed install" />
    </>
  );
}

export function InstallScreen() {
  const heading = useFocusOnMount<HTMLHeadingElement>();
  const { flow } = useStoresApi();
  const release = useInstall((s) => s.release);
  const run = useInstall((s) => s.run);
  useEffect(() => {
    if (run.status === 'done') flow.getState().goToDone();
  }, [run.status, flow]);
  if (!release) return null;
  return (
    <>
      <h1 ref={heading} tabIndex={-1}>
        Install {release.name} {release.version}
      </h1>
      {run.status === 'running' && <RunningCard run={run} />}
      {run.status === 'failed' && run.error && <FailureCard run={run} />}
    </>
  );
}
