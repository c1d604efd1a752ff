import { formatBytes } from '../../shared/format.ts';
import { ErrorCard } from '../components/ErrorCard.tsx';
import { Facts } from '../components/Facts.tsx';
import { formatDate } from '../components/dates.ts';
import { useFocusOnMount, useFocusWhen } from '../components/focus.ts';
import { ProgressPanel } from '../components/ProgressPanel.tsx';
import { useApp, useFlow, useStoresApi } from '../stores/app-stores.ts';
import type { ImportResult } from '../stores/kit-flow-store.ts';

function ImportedCard({ result, onPlan, onShow, onAnother }: { result: ImportResult; onPlan(): void; onShow(): void; onAnother(): void }) {
  const heading = useFocusWhen<HTMLHeadingElement>(result);
  const r = result.release;
  return (
    <section className="card card-ok" aria-labelledby="imported-title" data-testid="import-result">
      <h2 id="imported-title" ref={heading} tabIndex={-1}>
        <span className="status-icon" aria-hidden="true">
          ✓
        </span>{' '}
        {result.status === 'imported' ? 'Imported' : 'Already in the registry'}
      </h2>
      <p>
        {result.status === 'imported'
          ? `${r.name} ${r.version} is in the local registry, verified and complete.`
          : `${r.name} ${r.version} was already imported with exactly these contents; nothing was changed.`}
      </p>
      <Facts
        items={[
          ['Release', `${r.name} ${r.version} (${r.channel})`],
          ['Trusted as', r.trustPublisher],
          ['Files', `${r.fileCount} (${formatBytes(r.totalBytes)})`],
          ['Images', String(r.imageCount)],
          result.status === 'imported' && ['Stored', `${result.blobsWritten} new files (${formatBytes(result.bytesWritten)}), ${result.blobsReused} already in the registry`],
          ['Imported', formatDate(r.importedAt)],
        ]}
      />
      <div className="actions">
        <button type="button" className="button" onClick={onPlan}>
          Plan the install
        </button>
        <button type="button" className="button secondary" onClick={onShow}>
          Show in the registry
        </button>
        <button type="button" className="button secondary" onClick={onAnother}>
          Add another kit
        </button>
      </div>
      <p className="muted small">Planning changes nothing: it shows what installing this release would do, so you can decide.</p>
    </section>
  );
}

export function ImportScreen() {
  const heading = useFocusOnMount<HTMLHeadingElement>();
  const { flow, app, registry, install } = useStoresApi();
  const verification = useFlow((s) => s.verify.result);
  const importing = useFlow((s) => s.importing);
  const dataDir = useApp((s) => s.info?.dataDir);
  const actions = flow.getState();
  if (!verification) return null;
  const showInRegistry = (result: ImportResult): void => {
    app.getState().show('registry');
    void registry.getState().load();
    void registry.getState().open({ name: result.release.name, version: result.release.version });
  };
  return (
    <>
      <h1 ref={heading} tabIndex={-1}>
        Import {verification.name} {verification.version}
      </h1>
      {importing.status === 'idle' && (
        <section className="card" aria-labelledby="import-what">
          <h2 id="import-what">What happens now</h2>
          <ul className="plain-list">
            <li>
              Airlock reads the kit again and checks every file while it copies it into the local registry{dataDir ? ' in ' : ''}
              {dataDir && <code className="wrap">{dataDir}</code>}.
            </li>
            <li>Files already in the registry are not copied twice.</li>
            <li>The release appears only once every file is stored. If anything fails, or you cancel, the registry stays as it was.</li>
            <li>Nothing is installed yet, and nothing outside the data folder changes.</li>
          </ul>
          <Facts
            items={[
              ['Files', `${verification.fileCount} (${formatBytes(verification.totalBytes)})`],
              ['Images', String(verification.images.length)],
            ]}
          />
          <div className="actions">
            <button type="button" className="button" onClick={() => void actions.startImport()}>
              Import into the registry
            </button>
            <button type="button" className="button secondary" onClick={() => actions.startOver()}>
              Choose another kit
            </button>
          </div>
        </section>
      )}
      {importing.status === 'running' && (
        <ProgressPanel title="Importing into the registry" progress={importing.progress} cancelling={importing.cancelling} onCancel={() => void actions.cancelImport()} />
      )}
      {importing.status === 'done' && importing.result && (
        <ImportedCard
          result={importing.result}
          onPlan={() => {
            install.getState().reset();
            actions.goToPlan();
          }}
          onShow={() => showInRegistry(importing.result!)}
          onAnother={() => actions.startOver()}
        />
      )}
      {importing.status === 'failed' && importing.error && (
        <ErrorCard error={importing.error}>
          <button type="button" className="button" onClick={() => void actions.startImport()}>
            Try again
          </button>
          <button type="button" className="button secondary" onClick={() => actions.startOver()}>
            Choose another kit
          </button>
        </ErrorCard>
      )}
    </>
  );
}
