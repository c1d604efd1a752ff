import { useEffect, useId, type ReactNode } from 'react';
import type { ErrorPayload } from '../../shared/airlock-error.ts';
import { ERROR_CATALOG, isErrorCode } from '../../shared/error-catalog.ts';
import { formatBytes } from '../../shared/format.ts';
import { ErrorCard } from '../components/ErrorCard.tsx';
import { Facts } from '../components/Facts.tsx';
import { useFocusOnMount, useFocusWhen } from '../components/focus.ts';
import { StatusLabel } from '../components/StatusLabel.tsx';
import { describeSigner } from '../components/signer-text.ts';
import { useFlow, useInstall, useStoresApi } from '../stores/app-stores.ts';
import { installHeldBy, needsAcknowledgement, planWarnChecks, warningsCarried, type InstallPlan, type PackageChanges } from '../stores/install-store.ts';
import { acknowledgedChecks } from '../stores/kit-flow-store.ts';

/** Long lists are cut so the window stays quick; the CLI's --plan-only prints everything. */
const MAX_LIST = 500;

export const KIND_TEXT: Readonly<Record<InstallPlan['kind'], string>> = {
  fresh: 'Fresh install (nothing of this app is installed here yet)',
  upgrade: 'Upgrade',
  downgrade: 'Downgrade (allowed by the trust policy for this publisher)',
  repair: 'Repair (same version: files re-checked and re-written, no migration)',
};

function planTitle(plan: InstallPlan): string {
  if (plan.kind === 'fresh') return `Plan: install ${plan.name} ${plan.to.version}`;
  if (plan.kind === 'repair') return `Plan: repair ${plan.name} ${plan.to.version}`;
  return `Plan: ${plan.kind} ${plan.name} ${plan.from?.version ?? ''} → ${plan.to.version}`;
}

function Section({ title, children, testId }: { title: string; children: ReactNode; testId?: string }) {
  const id = useId();
  return (
    <section className="card plan-section" aria-labelledby={id} data-testid={testId}>
      <h2 id={id}>{title}</h2>
      {children}
    </section>
  );
}

function PathList({ paths, tag }: { paths: readonly string[]; tag: 'added' | 'changed' | 'removed' }) {
  if (paths.length === 0) return null;
  return (
    <details className="plan-details">
      <summary>
        {paths.length} {paths.length === 1 ? 'file' : 'files'} {tag}
      </summary>
      <ul className="diff-list">
        {paths.slice(0, MAX_LIST).map((p) => (
          <li key={p}>
            <span className={`diff-tag diff-${tag}`}>{tag}</span> <code>{p}</code>
          </li>
        ))}
        {paths.length > MAX_LIST && <li className="muted">… and {paths.length - MAX_LIST} more</li>}
      </ul>
    </details>
  );
}

function FilesSection({ plan }: { plan: InstallPlan }) {
  const f = plan.files;
  return (
    <Section title="Files" testId="plan-files">
      <p className="diff-summary">
        <strong>{f.added.length}</strong> added, <strong>{f.changed.length}</strong> changed, <strong>{f.removed.length}</strong> removed,{' '}
        <strong>{f.unchanged}</strong> unchanged — {f.total} files, {formatBytes(f.bytes)} in the new release.
      </p>
      <p className="muted small">
        Compared with {f.basis}.{f.reuse ? ' The release folder is already present and verified; it is used as it is.' : ''}
      </p>
      <PathList paths={f.added} tag="added" />
      <PathList paths={f.changed} tag="changed" />
      <PathList paths={f.removed} tag="removed" />
    </Section>
  );
}

function DestructiveBadge() {
  return (
    <span className="badge badge-destructive">
      <span aria-hidden="true">⚠</span> Destructive
    </span>
  );
}

function MigrationsSection({ plan }: { plan: InstallPlan }) {
  if (plan.migrations.length === 0) {
    return (
      <Section title="Database migrations" testId="plan-migrations">
        <p>No migrations{plan.databases.length === 0 ? ' and no databases' : ''}.</p>
      </Section>
    );
  }
  return (
    <Section title="Database migrations" testId="plan-migrations">
      <p>
        Databases: {plan.databases.map((d) => `${d.id} (${d.path}, ${d.exists ? formatBytes(d.sizeBytes) : 'new'})`).join(', ')}. Each is backed up before
        anything changes; each migration runs in a transaction of its own.
      </p>
      <div className="table-scroll">
        <table className="data-table">
          <caption>Migrations in the kit’s order</caption>
          <thead>
            <tr>
              <th scope="col">Migration</th>
              <th scope="col">Database</th>
              <th scope="col">Action</th>
              <th scope="col">Statements</th>
              <th scope="col">Changes data?</th>
            </tr>
          </thead>
          <tbody>
            {plan.migrations.map((m) => {
              const destructive = m.markedDestructive || m.findings.length > 0;
              return (
                <tr key={m.id} className={destructive && m.action === 'apply' ? 'row-warn' : undefined}>
                  <th scope="row">
                    <code>{m.id}</code>
                  </th>
                  <td>{m.database}</td>
                  <td>{m.action === 'apply' ? 'Apply' : 'Skip: already applied with the same checksum'}</td>
                  <td>{m.statements}</td>
                  <td>
                    {destructive ? <DestructiveBadge /> : <span className="muted">Additive</span>}
                    {m.findings.length > 0 && (
                      <ul className="plain-list small">
                        {m.findings.map((x) => (
                          <li key={`${x.statement}-${x.target}`}>
                            statement {x.statement} (line {x.line}): {x.kind.replaceAll('-', ' ')} <code>{x.target}</code>
                          </li>
                        ))}
                      </ul>
                    )}
                    {m.markedDestructive && m.findings.length === 0 && <p className="small muted">Marked destructive by the publisher.</p>}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
    </Section>
  );
}

function PackagesSection({ status, changes, error, to }: { status: string; changes: PackageChanges | null; error: ErrorPayload | null; to: string }) {
  return (
    <Section title="SBOM packages" testId="plan-packages">
      {status === 'running' && <p role="status">Comparing the SBOM packages…</p>}
      {error && (
        <p className="notice">
          The package changes cannot be shown: {error.message} (<code>{error.code}</code>). The install itself does not depend on them.
        </p>
      )}
      {changes?.kind === 'fresh' && (
        <p>
          Nothing is installed yet: {to} brings {changes.packageCount} {changes.packageCount === 1 ? 'package' : 'packages'} from {changes.sbomCount}{' '}
          {changes.sbomCount === 1 ? 'SBOM' : 'SBOMs'} (see the Registry for the list).
        </p>
      )}
      {changes?.kind === 'diff' && (
        <>
          <p className="diff-summary">
            <strong>{changes.diff.packages.added.length}</strong> added, <strong>{changes.diff.packages.removed.length}</strong> removed,{' '}
            <strong>{changes.diff.packages.changed.length}</strong> changed, <strong>{changes.diff.packages.unchanged}</strong> unchanged, compared with the
            installed {changes.diff.from.version}.
          </p>
          <ul className="diff-list">
            {changes.diff.packages.added.map((p) => (
              <li key={`a-${p.name}-${p.purl}`}>
                <span className="diff-tag diff-added">added</span> {p.name} {p.versions.join(', ')}
              </li>
            ))}
            {changes.diff.packages.removed.map((p) => (
              <li key={`r-${p.name}-${p.purl}`}>
                <span className="diff-tag diff-removed">removed</span> {p.name} {p.versions.join(', ')}
              </li>
            ))}
            {changes.diff.packages.changed.map((p) => (
              <li key={`c-${p.name}-${p.purl}`}>
                <span className="diff-tag diff-changed">changed</span> {p.name} {p.from.versions.join(', ') || '–'} → {p.to.versions.join(', ') || '–'}
              </li>
            ))}
          </ul>
        </>
      )}
    </Section>
  );
}

function blockerPayload(b: InstallPlan['blockers'][number]): ErrorPayload {
  const code = isErrorCode(b.code) ? b.code : 'INTERNAL';
  return { code, message: b.message, remedy: ERROR_CATALOG[code].remedy, ...(b.path !== undefined ? { path: b.path } : {}), ...(b.field !== undefined ? { field: b.field } : {}) };
}

function PreflightSection({ plan }: { plan: InstallPlan }) {
  const { install } = useStoresApi();
  const acknowledged = useInstall((s) => s.acknowledged);
  const carried = useInstall((s) => s.carriedChecks);
  const report = plan.preflight.report;
  const attention = report.checks.filter((c) => c.status !== 'pass' && c.status !== 'skip');
  return (
    <Section title="Host preflight" testId="plan-preflight">
      <p>
        Checked again just now, with the install root: <StatusLabel status={plan.preflight.verdict} />
        {plan.preflight.verdict === 'pass' && ' — this host meets every requirement of the kit.'}
      </p>
      {attention.length > 0 && (
        <ul className="plain-list">
          {attention.map((c) => (
            <li key={c.id}>
              <StatusLabel status={c.status} /> <strong>{c.title}</strong>: {c.observed} (needed: {c.expected}).
              {c.remedy && <span className="remedy"> What to do: {c.remedy}</span>}
            </li>
          ))}
        </ul>
      )}
      {needsAcknowledgement(plan) && (
        <div className="acknowledge">
          <label>
            <input type="checkbox" checked={acknowledged} onChange={(e) => install.getState().acknowledgeWarnings(e.target.checked)} /> I have read the
            preflight {planWarnChecks(plan).length === 1 ? 'warning' : 'warnings'} and want to install.
          </label>
          {warningsCarried(plan, carried) && <p className="small muted">You acknowledged {planWarnChecks(plan).length === 1 ? 'this warning' : 'these warnings'} at the Preflight step.</p>}
        </div>
      )}
    </Section>
  );
}

function ConfirmDestructive({ plan }: { plan: InstallPlan }) {
  const { install } = useStoresApi();
  const confirmed = useInstall((s) => s.destructiveConfirmed);
  if (!plan.destructive.needsConfirmation) return null;
  const ids = plan.migrations.filter((m) => m.action === 'apply' && (m.markedDestructive || m.findings.length > 0)).map((m) => m.id);
  return (
    <div className="acknowledge acknowledge-destructive">
      <p>
        <DestructiveBadge /> {ids.length === 1 ? 'Migration' : 'Migrations'} <code>{ids.join(', ')}</code> {ids.length === 1 ? 'changes or removes' : 'change or remove'} existing data. Airlock backs up
        the databases first and restores them if the install fails; to undo it after a successful install, roll back from Releases.
      </p>
      <label>
        <input type="checkbox" checked={confirmed} onChange={(e) => install.getState().confirmDestructive(e.target.checked)} /> I confirm the destructive{' '}
        {ids.length === 1 ? 'migration' : 'migrations'} {ids.join(', ')}.
      </label>
    </div>
  );
}

function PlanBody({ plan }: { plan: InstallPlan }) {
  const heading = useFocusWhen<HTMLHeadingElement>(plan);
  const { install, flow } = useStoresApi();
  const packages = useInstall((s) => s.packages);
  // Select the parts and derive in render: a selector must not build a new array on every call.
  const planState = useInstall((s) => s.plan);
  const acknowledged = useInstall((s) => s.acknowledged);
  const destructiveConfirmed = useInstall((s) => s.destructiveConfirmed);
  const run = useInstall((s) => s.run);
  const held = installHeldBy({ plan: planState, acknowledged, destructiveConfirmed, run });
  const signer = describeSigner(plan.to.signer);
  const start = (): void => {
    if (held.length > 0) return;
    flow.getState().goToInstall();
    void install.getState().startInstall();
  };
  return (
    <>
      <section className="card" aria-labelledby="plan-summary" data-testid="plan-summary">
        <h2 id="plan-summary" ref={heading} tabIndex={-1}>
          {plan.from ? `${plan.name} ${plan.from.version} → ${plan.to.version}` : `${plan.name} ${plan.to.version}`}
        </h2>
        <Facts
          items={[
            ['What', KIND_TEXT[plan.kind]],
            ['From', plan.from ? `${plan.name} ${plan.from.version}` : 'nothing installed'],
            ['To', `${plan.name} ${plan.to.version} (${plan.to.channel})`],
            ['Install root', <code className="wrap">{plan.root}</code>],
            ['Signed by', `${plan.to.trustPublisher} (${signer.value})`],
            ['Images', plan.images.length === 0 ? 'none' : plan.images.map((i) => i.ref).join(', ')],
            ['Health checks', `${plan.health.length} after the switch`],
            [
              'Disk',
              `needs ${formatBytes(plan.disk.neededBytes)} (${plan.disk.basis}); ${plan.disk.freeBytes === null ? 'free space unknown' : `${formatBytes(plan.disk.freeBytes)} free`} at ${plan.disk.path}`,
            ],
            ['Kept afterwards', `${plan.retention.keep} releases${plan.retention.wouldPrune.length ? `; ${plan.retention.wouldPrune.join(', ')} will be removed` : ''}`],
          ]}
        />
      </section>
      {plan.blockers.length > 0 && (
        <section aria-labelledby="plan-blocked" className="plan-blockers">
          <h2 id="plan-blocked">This install cannot go ahead</h2>
          {plan.blockers.map((b, i) => (
            <ErrorCard key={`${b.code}-${i}`} error={blockerPayload(b)} focus={false} />
          ))}
        </section>
      )}
      <FilesSection plan={plan} />
      <MigrationsSection plan={plan} />
      <PackagesSection status={packages.status} changes={packages.changes} error={packages.error} to={`${plan.name} ${plan.to.version}`} />
      <PreflightSection plan={plan} />
      <section className="card" aria-labelledby="plan-go">
        <h2 id="plan-go">Install</h2>
        <ConfirmDestructive plan={plan} />
        <p>
          Airlock backs up the databases, writes and checks the release files, runs the migrations, switches to the new release, runs the health checks and
          commits. If any step fails, it restores the databases and the release that was active, by itself.
        </p>
        <p className="muted small" id="plan-cancel-note">
          You can cancel while the databases are backed up, the files are written and the migrations run; Airlock then undoes what it did. Once the switch to
          the new release begins, the install can no longer be cancelled.
        </p>
        <div className="actions">
          <button type="button" className="button" aria-disabled={held.length > 0} aria-describedby={held.length > 0 ? 'plan-held' : 'plan-cancel-note'} onClick={start}>
            Install {plan.name} {plan.to.version}
          </button>
          <button type="button" className="button secondary" onClick={() => flow.getState().startOver()}>
            Choose another kit
          </button>
        </div>
        {held.length > 0 && (
          <ul id="plan-held" className="plain-list small muted">
            {held.map((r) => (
              <li key={r}>{r}</li>
            ))}
          </ul>
        )}
      </section>
    </>
  );
}

export function PlanScreen() {
  const heading = useFocusOnMount<HTMLHeadingElement>();
  const { install, flow, app } = useStoresApi();
  const imported = useFlow((s) => s.importing.result?.release);
  const planState = useInstall((s) => s.plan);
  const plan = planState.result?.plan;
  const release = imported ? { name: imported.name, version: imported.version } : null;
  const key = release ? `${release.name}@${release.version}` : '';
  useEffect(() => {
    if (!release) return;
    void install.getState().ensurePlan(release, acknowledgedChecks(flow.getState()));
    // The release object is rebuilt each render; its name@version (key) is what matters.
  }, [key, install, flow]);
  if (!release) return null;
  return (
    <>
      <h1 ref={heading} tabIndex={-1}>
        {plan ? planTitle(plan) : `Plan: install ${release.name} ${release.version}`}
      </h1>
      <p className="lead">Read what will change before anything does. Nothing has been changed yet.</p>
      {planState.status === 'running' && (
        <p role="status" className="card">
          Making the plan: comparing with the installed release and checking this host…
        </p>
      )}
      {planState.status === 'failed' && planState.error && (
        <ErrorCard error={planState.error}>
          {planState.error.code === 'INSTALL_ROOT_UNSET' && (
            <button type="button" className="button" onClick={() => app.getState().show('settings')}>
              Open Settings
            </button>
          )}
          <button type="button" className="button secondary" onClick={() => void install.getState().loadPlan(release, acknowledgedChecks(flow.getState()))}>
            Make the plan again
          </button>
        </ErrorCard>
      )}
      {planState.status === 'done' && plan && <PlanBody plan={plan} />}
    </>
  );
}
