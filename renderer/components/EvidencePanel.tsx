import { useId } from 'react';
import { ErrorCard } from './ErrorCard.tsx';
import { Facts } from './Facts.tsx';
import { useFocusWhen } from './focus.ts';
import { groupFingerprint } from './signer-text.ts';
import { useApp, useEvidence, useStoresApi } from '../stores/app-stores.ts';
import { evidenceEntry } from '../stores/evidence-store.ts';

const VERDICT_ICONS = { pass: '✓', fail: '✕', incomplete: '!' } as const;

/**
 * Export one operation's evidence bundle, then open its folder (desktop app)
 * or download its report.pdf (console mode). The bundle always lands in the
 * data folder's evidence/ folder; main says where.
 */
export function EvidencePanel({ operation, what }: { operation: number | null; what: string }) {
  const id = useId();
  const { evidence } = useStoresApi();
  const entry = useEvidence((s) => evidenceEntry(s, operation));
  const canOpen = useApp((s) => s.info?.capabilities.openFolder ?? false);
  const heading = useFocusWhen<HTMLHeadingElement>(entry.result);
  if (operation === null) return null;
  const r = entry.result;
  return (
    <section className="card" aria-labelledby={`${id}-title`} data-testid="evidence-panel">
      <h2 id={`${id}-title`}>Evidence for the auditor</h2>
      <p>
        Airlock writes the evidence of {what} (operation {operation}) as a bundle: what was recorded about it (the signed kit files, the preflight report,
        every step, the migrations, the audit records, as far as they apply) and <strong>report.pdf</strong>, with checksums signed by this workstation’s
        key. The bundle goes into the data folder.
      </p>
      {entry.status !== 'done' && (
        <div className="actions">
          <button type="button" className="button" disabled={entry.status === 'running'} onClick={() => void evidence.getState().exportFor(operation)}>
            {entry.status === 'running' ? 'Exporting evidence…' : 'Export evidence'}
          </button>
        </div>
      )}
      {entry.status === 'running' && (
        <p role="status" className="muted">
          Writing the bundle and the PDF report…
        </p>
      )}
      {entry.error && <ErrorCard error={entry.error} />}
      {r && (
        <div className="evidence-result" data-testid="evidence-result">
          <h3 ref={heading} tabIndex={-1}>
            <span className="status-icon" aria-hidden="true">
              ✓
            </span>{' '}
            Evidence bundle written
          </h3>
          <Facts
            items={[
              ['Folder', <code className="wrap">{r.folder}</code>],
              [
                'Verdict',
                <span className={`status status-${r.verdict.status === 'pass' ? 'pass' : r.verdict.status === 'fail' ? 'fail' : 'warn'}`}>
                  <span className="status-icon" aria-hidden="true">
                    {VERDICT_ICONS[r.verdict.status]}
                  </span>{' '}
                  {r.verdict.headline}
                </span>,
              ],
              ['Files', `${r.files.length}, listed in EVIDENCE.SHA256SUMS and signed by the workstation key`],
              ['Workstation key', <code className="fingerprint">{groupFingerprint(r.workstationFingerprint)}</code>],
              ['Audit head', r.auditHead ? <code className="wrap">{`${r.auditHead.seq}:${r.auditHead.hash}`}</code> : 'no audit records'],
            ]}
          />
          <div className="actions">
            {r.reportDownload && (
              <a className="button" href={r.reportDownload} download>
                Download report.pdf
              </a>
            )}
            {canOpen && (
              <button type="button" className="button" onClick={() => void evidence.getState().openFolder(operation)}>
                Open folder
              </button>
            )}
            <button type="button" className="button secondary" onClick={() => void evidence.getState().exportFor(operation)}>
              Export again
            </button>
          </div>
          {entry.openError && <ErrorCard error={entry.openError} />}
        </div>
      )}
    </section>
  );
}
