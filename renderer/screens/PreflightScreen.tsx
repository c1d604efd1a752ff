import { needsAcknowledgement } from '../../shared/preflight.ts';
import { ErrorCard } from '../components/ErrorCard.tsx';
import { useFocusOnMount, useFocusWhen } from '../components/focus.ts';
import { StatusLabel } from '../components/StatusLabel.tsx';
import { useFlow, useStoresApi } from '../stores/app-stores.ts';
import { preflightAllowsImport, type PreflightReport } from '../stores/kit-flow-store.ts';

function verdictText(report: PreflightReport): string {
  const n = (status: string): number => report.checks.filter((c) => c.status === status).length;
  if (report.verdict === 'fail') return `${n('fail')} ${n('fail') === 1 ? 'check blocks' : 'checks block'} this kit on this host. Fix ${n('fail') === 1 ? 'it' : 'them'} and check again.`;
  if (report.verdict === 'warn') return `${n('warn')} ${n('warn') === 1 ? 'warning' : 'warnings'} to read. Nothing blocks; acknowledge the warnings to continue.`;
  return 'This host meets every requirement of the kit.';
}

const VERDICT_TITLES = {
  pass: { icon: '✓', text: 'All checks passed' },
  warn: { icon: '!', text: 'Passed with warnings' },
  fail: { icon: '✕', text: 'This host is not ready' },
} as const;

function PreflightVerdict({ report }: { report: PreflightReport }) {
  const heading = useFocusWhen<HTMLHeadingElement>(report);
  const title = VERDICT_TITLES[report.verdict];
  return (
    <div className={`verdict verdict-${report.verdict}`} role="status">
      <h2 ref={heading} tabIndex={-1} className={`status-${report.verdict}`}>
        <span className="status-icon" aria-hidden="true">
          {title.icon}
        </span>{' '}
        {title.text}
      </h2>
      <p>{verdictText(report)}</p>
    </div>
  );
}

/** The checks that warn or fail, with what to do, above the full table so nothing needs scrolling to find. */
function AttentionList({ report }: { report: PreflightReport }) {
  const rows = report.checks.filter((c) => c.status === 'fail' || c.status === 'warn');
  if (rows.length === 0) return null;
  return (
    <section className="attention" aria-labelledby="attention-title">
      <h3 id="attention-title">Needs your attention</h3>
      <ul className="plain-list">
        {rows.map((c) => (
          <li key={c.id}>
            <StatusLabel status={c.status} /> <strong>{c.title}</strong>: {c.observed} (needed: {c.expected}).
            {c.remedy && <p className="remedy">What to do: {c.remedy}</p>}
          </li>
        ))}
      </ul>
    </section>
  );
}

function PreflightTable({ report }: { report: PreflightReport }) {
  return (
    <div className="table-scroll">
      <table className="data-table preflight-table">
        <caption>All host checks</caption>
        <thead>
          <tr>
            <th scope="col">Status</th>
            <th scope="col">Check</th>
            <th scope="col">Found on this host</th>
            <th scope="col">Needed</th>
            <th scope="col">What to do</th>
          </tr>
        </thead>
        <tbody>
          {report.checks.map((c) => (
            <tr key={c.id} className={`row-${c.status}`}>
              <td>
                <StatusLabel status={c.status} />
              </td>
              <th scope="row">{c.title}</th>
              <td>{c.observed}</td>
              <td>{c.expected}</td>
              <td>
                {c.remedy || <span className="muted">Nothing</span>}
                {c.note && <p className="muted small">{c.note}</p>}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export function PreflightScreen() {
  const heading = useFocusOnMount<HTMLHeadingElement>();
  const { flow } = useStoresApi();
  const kit = useFlow((s) => s.kit);
  const verification = useFlow((s) => s.verify.result);
  const preflight = useFlow((s) => s.preflight);
  const canContinue = useFlow((s) => preflightAllowsImport(s));
  const actions = flow.getState();
  const report = preflight.report;
  return (
    <>
      <h1 ref={heading} tabIndex={-1}>
        Check this host
      </h1>
      <p className="lead">
        Airlock compares this computer with what {verification ? `${verification.name} ${verification.version}` : kit?.name} needs: operating system,
        processor, memory, disk space, FIPS mode and more. Nothing is changed.
      </p>
      {preflight.status === 'running' && (
        <p role="status" className="card">
          Checking this host…
        </p>
      )}
      {preflight.status === 'failed' && preflight.error && (
        <ErrorCard error={preflight.error}>
          <button type="button" className="button" onClick={() => void actions.runPreflight()}>
            Check again
          </button>
        </ErrorCard>
      )}
      {preflight.status === 'done' && report && (
        <section className="card" aria-labelledby="preflight-results">
          <h2 id="preflight-results" className="visually-hidden">
            Result
          </h2>
          <PreflightVerdict report={report} />
          {report.kit && !report.kit.manifestVerified && (
            <p className="notice">The kit’s requirements were read without checking its signature. Verify the kit before relying on this result.</p>
          )}
          <AttentionList report={report} />
          {needsAcknowledgement(report) && (
            <div className="acknowledge">
              <label>
                <input type="checkbox" checked={preflight.acknowledged} onChange={(e) => actions.acknowledgeWarnings(e.target.checked)} /> I have read
                the warnings and want to continue.
              </label>
            </div>
          )}
          <div className="actions">
            {report.verdict !== 'fail' && (
              <button type="button" className="button" disabled={!canContinue} aria-describedby={canContinue ? undefined : 'continue-why'} onClick={() => actions.goToImport()}>
                Continue to import
              </button>
            )}
            <button type="button" className="button secondary" onClick={() => void actions.runPreflight()}>
              Check again
            </button>
            <button type="button" className="button secondary" onClick={() => actions.startOver()}>
              Choose another kit
            </button>
          </div>
          {!canContinue && report.verdict === 'warn' && (
            <p id="continue-why" className="muted small">
              Tick the acknowledgement above to continue.
            </p>
          )}
          <PreflightTable report={report} />
        </section>
      )}
    </>
  );
}
