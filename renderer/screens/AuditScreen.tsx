import { useEffect } from 'react';
import { ERROR_CATALOG } from '../../shared/error-catalog.ts';
import { ErrorCard } from '../components/ErrorCard.tsx';
import { Facts } from '../components/Facts.tsx';
import { useFocusOnMount } from '../components/focus.ts';
import { useAudit, useStoresApi } from '../stores/app-stores.ts';
import { AUDIT_PAGE_SIZE, pageCount, type AuditRecord, type AuditStatus } from '../stores/audit-store.ts';

/**
 * A record's data as "key: value" pairs, the short ones first so the names
 * and ids stay visible when long lists are cut (the full record is in
 * evidence bundles and "airlock audit list").
 */
export function dataText(data: AuditRecord['data'], max = 280): string {
  const parts = Object.entries(data)
    .map(([k, v]) => `${k}: ${typeof v === 'string' ? v : JSON.stringify(v)}`)
    .sort((a, b) => a.length - b.length);
  const text = parts.join('; ');
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/** "2026-11-22 03:13:21 UTC": records are seconds apart, so the seconds matter here. */
function recordTime(iso: string): string {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : `${d.toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

function ChainStatus({ status }: { status: AuditStatus }) {
  if (!status.ok) {
    return (
      <ErrorCard
        focus={false}
        error={{
          code: 'AUDIT_CHAIN_BROKEN',
          message: `The audit chain is broken at record ${status.firstBadSeq}: ${status.reason ?? 'it does not check out'}.`,
          field: `audit_events[seq=${status.firstBadSeq}]`,
          remedy: ERROR_CATALOG.AUDIT_CHAIN_BROKEN.remedy,
        }}
      />
    );
  }
  return (
    <section className="card card-ok" aria-labelledby="chain-title" data-testid="audit-chain">
      <h2 id="chain-title">
        <span className="status-icon" aria-hidden="true">
          ✓
        </span>{' '}
        Chain OK
      </h2>
      <p>
        {status.count === 0
          ? 'The audit chain is empty: nothing has been recorded yet.'
          : `All ${status.count} records check out: each one’s content matches its hash and links to the record before it.`}
      </p>
      {status.head && (
        <Facts
          items={[
            ['Head', <code className="wrap">{`${status.head.seq}:${status.head.hash}`}</code>],
            ['Why it matters', 'Evidence bundles record the head. Compare it with a head recorded earlier to tell that no records were removed or rewritten.'],
          ]}
        />
      )}
    </section>
  );
}

export function AuditScreen() {
  const heading = useFocusOnMount<HTMLHeadingElement>();
  const { audit } = useStoresApi();
  const status = useAudit((s) => s.status);
  const page = useAudit((s) => s.page);
  const index = useAudit((s) => s.pageIndex);
  useEffect(() => {
    void audit.getState().load();
  }, [audit]);
  const total = page.value?.total ?? 0;
  const pages = pageCount(total, AUDIT_PAGE_SIZE);
  return (
    <>
      <h1 ref={heading} tabIndex={-1}>
        Audit
      </h1>
      <p className="lead">
        Every import, verification, install step, migration, rollback, evidence export and trust-policy change is recorded in a hash-linked chain that shows any
        later change.
      </p>
      {status.status === 'running' && !status.value && <p role="status">Checking the audit chain…</p>}
      {status.error && <ErrorCard error={status.error} focus={false} />}
      {status.value && <ChainStatus status={status.value} />}
      <section className="card" aria-labelledby="events-title">
        <div className="card-header">
          <h2 id="events-title">Events</h2>
          <button type="button" className="button small secondary" onClick={() => void audit.getState().load()}>
            Check again
          </button>
        </div>
        {page.error && <ErrorCard error={page.error} focus={false} />}
        {page.value && page.value.records.length === 0 && <p>No events yet.</p>}
        {page.value && page.value.records.length > 0 && (
          <div className="table-scroll">
            <table className="data-table audit-table" data-testid="audit-events">
              <caption>
                Audit events, newest first (page {index + 1} of {pages})
              </caption>
              <thead>
                <tr>
                  <th scope="col">Record</th>
                  <th scope="col">Time</th>
                  <th scope="col">Event</th>
                  <th scope="col">Operation</th>
                  <th scope="col">By</th>
                  <th scope="col">Details</th>
                </tr>
              </thead>
              <tbody>
                {page.value.records.map((r) => (
                  <tr key={r.seq}>
                    <th scope="row">{r.seq}</th>
                    <td className="nowrap">{recordTime(r.time)}</td>
                    <td className="nowrap">
                      <code>{r.type}</code>
                    </td>
                    <td>{r.operationId ?? <span className="muted">–</span>}</td>
                    <td className="nowrap">
                      {r.actor}@{r.host}
                    </td>
                    <td className="small audit-data">{dataText(r.data)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        <nav aria-label="Audit pages" className="pager">
          <button type="button" className="button small secondary" disabled={index === 0} onClick={() => void audit.getState().showPage(index - 1)}>
            ← Newer
          </button>
          <span role="status">
            Page {index + 1} of {pages} · {total} {total === 1 ? 'event' : 'events'}
          </span>
          <button type="button" className="button small secondary" disabled={index + 1 >= pages} onClick={() => void audit.getState().showPage(index + 1)}>
            Older →
          </button>
        </nav>
      </section>
    </>
  );
}
