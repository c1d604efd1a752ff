import { useEffect } from 'react';
import { EvidencePanel } from '../components/EvidencePanel.tsx';
import { Facts } from '../components/Facts.tsx';
import { useFocusOnMount } from '../components/focus.ts';
import { groupFingerprint } from '../components/signer-text.ts';
import { StepList } from '../components/StepList.tsx';
import { useInstall, useSettings, useStoresApi } from '../stores/app-stores.ts';
import { KIND_TEXT } from './PlanScreen.tsx';

export function DoneScreen() {
  const heading = useFocusOnMount<HTMLHeadingElement>();
  const { flow, app, settings, releases } = useStoresApi();
  const release = useInstall((s) => s.release);
  const result = useInstall((s) => s.run.result);
  const root = useInstall((s) => s.plan.result?.plan.root);
  const key = useSettings((s) => s.workstationKey);
  useEffect(() => {
    void settings.getState().loadWorkstationKey();
  }, [settings]);
  if (!release || !result) return null;
  const applied = result.migrations.filter((m) => m.outcome === 'applied');
  const passed = result.health.filter((h) => h.ok).length;
  return (
    <>
      <h1 ref={heading} tabIndex={-1}>
        Done
      </h1>
      <section className="card card-ok" aria-labelledby="done-verdict" data-testid="install-done">
        <h2 id="done-verdict">
          <span className="status-icon" aria-hidden="true">
            ✓
          </span>{' '}
          Installed: {release.name} {result.active} is active
        </h2>
        <p>
          Every step succeeded and the health checks passed.
          {result.from ? ` ${release.name} ${result.from} and the backup of its data are kept, so you can roll back to it from Releases.` : ''}
        </p>
        <Facts
          items={[
            ['Verdict', 'Succeeded'],
            ['What', KIND_TEXT[result.kind]],
            ['Release', result.from ? `${release.name} ${result.from} → ${result.to}` : `${release.name} ${result.to}`],
            ['Operation', String(result.operationId)],
            ['Install root', root ? <code className="wrap">{root}</code> : '…'],
            ['Migrations', `${applied.length} applied${applied.length ? ` (${applied.map((m) => m.id).join(', ')})` : ''}, ${result.migrations.length - applied.length} skipped`],
            ['Health checks', `${passed} of ${result.health.length} passed`],
            ['Backups', result.backups.length === 0 ? 'none' : result.backups.map((b) => `${b.id} ${b.state === 'absent' ? '(did not exist yet)' : `sha256 ${b.sha256?.slice(0, 12)}…`}`).join(', ')],
            ['Removed old releases', result.pruned.length ? result.pruned.join(', ') : 'none'],
            [
              'Workstation key',
              key.value ? <code className="fingerprint">{groupFingerprint(key.value.fingerprint)}</code> : key.error ? `${key.error.code}: ${key.error.message}` : '…',
            ],
          ]}
        />
        <details className="plan-details">
          <summary>The {result.steps.length} recorded steps</summary>
          <StepList steps={result.steps} label="Recorded steps" />
        </details>
      </section>
      <EvidencePanel operation={result.operationId} what={`the install of ${release.name} ${result.to}`} />
      <div className="actions">
        <button
          type="button"
          className="button"
          onClick={() => {
            app.getState().show('releases');
            void releases.getState().load();
          }}
        >
          Show in Releases
        </button>
        <button type="button" className="button secondary" onClick={() => flow.getState().startOver()}>
          Add another kit
        </button>
      </div>
    </>
  );
}
