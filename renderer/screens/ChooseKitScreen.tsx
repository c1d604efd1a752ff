import { useEffect, useState, type DragEvent } from 'react';
import { formatBytes } from '../../shared/format.ts';
import { ErrorCard } from '../components/ErrorCard.tsx';
import { useFocusOnMount } from '../components/focus.ts';
import { useApp, useFlow, useStoresApi, useTrust } from '../stores/app-stores.ts';
import type { KitCandidate } from '../stores/kit-flow-store.ts';

const KIND_LABELS: Record<KitCandidate['kind'], string> = {
  archive: 'Kit archive',
  split: 'Split kit',
  directory: 'Unpacked kit folder',
};

function KitOption({ kit, onChoose }: { kit: KitCandidate; onChoose(kit: KitCandidate): void }) {
  const size = kit.sizeBytes === null ? null : formatBytes(kit.sizeBytes);
  return (
    <li>
      <button type="button" className="kit-option" onClick={() => onChoose(kit)}>
        <span className="kit-option-name">{kit.name}</span>
        <span className="kit-option-meta">
          {KIND_LABELS[kit.kind]}
          {size && ` · ${size}`} · {kit.location}
        </span>
        <span className="kit-option-path">{kit.displayPath}</span>
        <span className="kit-option-action" aria-hidden="true">
          Verify →
        </span>
      </button>
    </li>
  );
}

function DropZone({ onDrop }: { onDrop(files: File[]): void }) {
  const [over, setOver] = useState(false);
  const stop = (e: DragEvent): void => {
    e.preventDefault();
    e.stopPropagation();
  };
  return (
    <div
      className={`drop-zone${over ? ' drop-zone-over' : ''}`}
      onDragEnter={(e) => {
        stop(e);
        setOver(true);
      }}
      onDragOver={stop}
      onDragLeave={(e) => {
        stop(e);
        setOver(false);
      }}
      onDrop={(e) => {
        stop(e);
        setOver(false);
        onDrop(Array.from(e.dataTransfer.files));
      }}
    >
      <p>Or drop a kit file or an unpacked kit folder here.</p>
    </div>
  );
}

export function ChooseKitScreen() {
  const heading = useFocusOnMount<HTMLHeadingElement>();
  const { flow, app } = useStoresApi();
  const info = useApp((s) => s.info);
  const scan = useFlow((s) => s.scan);
  const choiceProblems = useFlow((s) => s.choiceProblems);
  const choiceError = useFlow((s) => s.choiceError);
  const trust = useTrust((s) => s.settings);
  const actions = flow.getState();

  useEffect(() => {
    if (flow.getState().scan.status === 'idle') void flow.getState().scanKits();
  }, [flow]);

  const noTrust = trust !== null && trust.publishers.length === 0;
  const kits = scan.result?.kits ?? [];
  const searched = scan.result?.searched ?? [];

  return (
    <>
      <h1 ref={heading} tabIndex={-1}>
        Choose a kit
      </h1>
      <p className="lead">
        Airlock checks the kit’s signature and every file in it before anything is imported. Nothing changes on this computer until you confirm the
        import.
      </p>

      {noTrust && (
        <section className="card card-notice" aria-labelledby="no-trust-title">
          <h2 id="no-trust-title">No trusted publishers yet</h2>
          <p>Airlock verifies a kit only against publishers you trust. Add the publisher’s public key or signing identity first.</p>
          <div className="actions">
            <button type="button" className="button" onClick={() => app.getState().show('settings')}>
              Open Settings
            </button>
          </div>
        </section>
      )}

      {info?.capabilities.nativeDialog && (
        <section className="card" aria-labelledby="open-title">
          <h2 id="open-title">Open a kit from disk</h2>
          <div className="actions">
            <button type="button" className="button" onClick={() => void actions.chooseWithDialog('file')}>
              Choose a kit file…
            </button>
            <button type="button" className="button secondary" onClick={() => void actions.chooseWithDialog('folder')}>
              Choose an unpacked kit folder…
            </button>
          </div>
          {info.capabilities.dropFiles && <DropZone onDrop={(files) => void actions.dropFiles(files)} />}
        </section>
      )}

      {choiceError && <ErrorCard error={choiceError} />}
      {choiceProblems.length > 0 && (
        <section className="card card-notice" aria-labelledby="rejected-title">
          <h2 id="rejected-title">Not a kit</h2>
          <ul>
            {choiceProblems.map((p) => (
              <li key={p.name}>
                <strong>{p.name}</strong>: {p.reason}
              </li>
            ))}
          </ul>
        </section>
      )}

      <section className="card" aria-labelledby="found-title" aria-busy={scan.status === 'running'}>
        <div className="card-header">
          <h2 id="found-title">Kits on removable drives and in kit folders</h2>
          <button type="button" className="button secondary" onClick={() => void actions.scanKits()} disabled={scan.status === 'running'}>
            {scan.status === 'running' ? 'Looking…' : 'Look again'}
          </button>
        </div>
        <p role="status" className="muted">
          {scan.status === 'running'
            ? 'Looking for kits…'
            : scan.status === 'done'
              ? kits.length === 0
                ? 'No kits found.'
                : `${kits.length} ${kits.length === 1 ? 'kit' : 'kits'} found. Choose one to verify it.`
              : ''}
        </p>
        {scan.error && <ErrorCard error={scan.error} focus={false} />}
        {kits.length > 0 && (
          <ul className="kit-list">
            {kits.map((kit) => (
              <KitOption key={kit.id} kit={kit} onChoose={(k) => void actions.selectKit(k)} />
            ))}
          </ul>
        )}
        {searched.length > 0 && (
          <details className="searched" open={kits.length === 0}>
            <summary>Where Airlock looked</summary>
            <ul>
              {searched.map((root) => (
                <li key={root.path}>
                  {root.label}: <code>{root.path}</code> — {root.problem ? `could not be read (${root.problem})` : `${root.found} found`}
                </li>
              ))}
            </ul>
            {info?.mode === 'console' && (
              <p className="muted">
                In console mode there is no file dialog: copy a kit into one of the kit folders above (or insert a drive) and press “Look again”.
              </p>
            )}
          </details>
        )}
      </section>
    </>
  );
}
