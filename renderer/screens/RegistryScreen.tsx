import { useEffect, useState } from 'react';
import { formatBytes } from '../../shared/format.ts';
import { ErrorCard } from '../components/ErrorCard.tsx';
import { Facts } from '../components/Facts.tsx';
import { formatDate } from '../components/dates.ts';
import { useFocusOnMount, useFocusWhen } from '../components/focus.ts';
import { describeSigner } from '../components/signer-text.ts';
import { Tabs } from '../components/Tabs.tsx';
import { useApp, useRegistry, useStoresApi } from '../stores/app-stores.ts';
import { filterPackages, refKey, type ReleaseDetail, type ReleaseSummary } from '../stores/registry-store.ts';
import { ReleaseDiffView } from './ReleaseDiffView.tsx';

/** Long lists are cut so the window stays quick; the CLI prints everything. */
const MAX_ROWS = 500;

function ReleaseTable({ releases, onOpen }: { releases: ReleaseSummary[]; onOpen(r: ReleaseSummary): void }) {
  return (
    <div className="table-scroll">
      <table className="data-table">
        <caption>Imported releases</caption>
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Version</th>
            <th scope="col">Channel</th>
            <th scope="col">Publisher</th>
            <th scope="col">Files</th>
            <th scope="col">Size</th>
            <th scope="col">Images</th>
            <th scope="col">Imported</th>
            <th scope="col">
              <span className="visually-hidden">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {releases.map((r) => (
            <tr key={refKey(r)}>
              <th scope="row">{r.name}</th>
              <td>{r.version}</td>
              <td>{r.channel}</td>
              <td>{r.publisher ?? r.trustPublisher}</td>
              <td>{r.fileCount}</td>
              <td>{formatBytes(r.totalBytes)}</td>
              <td>{r.imageCount}</td>
              <td>{formatDate(r.importedAt)}</td>
              <td>
                <button type="button" className="button small" onClick={() => onOpen(r)} aria-label={`Open ${r.name} ${r.version}`}>
                  Open
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function ImagesPanel({ release }: { release: ReleaseDetail }) {
  if (release.images.length === 0) return <p>This release carries no container images.</p>;
  return (
    <div className="table-scroll">
      <table className="data-table">
        <caption>Container images</caption>
        <thead>
          <tr>
            <th scope="col">Reference</th>
            <th scope="col">Digest</th>
            <th scope="col">Size</th>
          </tr>
        </thead>
        <tbody>
          {release.images.map((i) => (
            <tr key={i.ref}>
              <th scope="row">
                <code className="wrap">{i.ref}</code>
              </th>
              <td>
                <code className="wrap">{i.digest}</code>
              </td>
              <td>{formatBytes(i.size)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function PackagesPanel({ release }: { release: ReleaseDetail }) {
  const { registry } = useStoresApi();
  const query = useRegistry((s) => s.packageQuery);
  if (release.packages.length === 0) {
    return <p>{release.sboms.length === 0 ? 'This release carries no SBOM.' : 'The SBOMs of this release list no packages.'}</p>;
  }
  const shown = filterPackages(release.packages, query);
  return (
    <>
      <div className="field inline-field">
        <label htmlFor="package-search">Search packages</label>
        <input id="package-search" type="search" value={query} onChange={(e) => registry.getState().setPackageQuery(e.target.value)} placeholder="name, version, license or purl" />
      </div>
      <p role="status" className="muted small">
        Showing {Math.min(shown.length, MAX_ROWS)} of {release.packages.length} packages from {release.sboms.length} {release.sboms.length === 1 ? 'SBOM' : 'SBOMs'}
        {shown.length > MAX_ROWS ? ' (narrow the search to see the rest)' : ''}.
      </p>
      {shown.length > 0 && (
        <div className="table-scroll">
          <table className="data-table">
            <caption>SBOM packages</caption>
            <thead>
              <tr>
                <th scope="col">Package</th>
                <th scope="col">Version</th>
                <th scope="col">License</th>
                <th scope="col">Package URL</th>
                <th scope="col">SBOM</th>
              </tr>
            </thead>
            <tbody>
              {shown.slice(0, MAX_ROWS).map((p, i) => (
                <tr key={`${p.sbomPath}-${p.name}-${p.version}-${i}`}>
                  <th scope="row">{p.name}</th>
                  <td>{p.version ?? '–'}</td>
                  <td>{p.license ?? '–'}</td>
                  <td>{p.purl ? <code className="wrap">{p.purl}</code> : '–'}</td>
                  <td>
                    <code>{p.sbomPath}</code>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}

function FilesPanel({ release }: { release: ReleaseDetail }) {
  return (
    <>
      <p className="muted small">
        {release.files.length > MAX_ROWS ? `The first ${MAX_ROWS} of ${release.files.length} files` : `${release.files.length} files`}, each stored under its
        SHA-256 digest.
      </p>
      <div className="table-scroll">
        <table className="data-table">
          <caption>Files</caption>
          <thead>
            <tr>
              <th scope="col">Path</th>
              <th scope="col">Size</th>
              <th scope="col">Mode</th>
              <th scope="col">Digest</th>
            </tr>
          </thead>
          <tbody>
            {release.files.slice(0, MAX_ROWS).map((f) => (
              <tr key={f.path}>
                <th scope="row">
                  <code className="wrap">{f.path}</code>
                </th>
                <td>{formatBytes(f.size)}</td>
                <td>{f.mode.toString(8)}</td>
                <td>
                  <code className="digest">{f.digest.slice(0, 19)}…</code>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </>
  );
}

function ComparePanel({ release }: { release: ReleaseDetail }) {
  const { registry } = useStoresApi();
  const releases = useRegistry((s) => s.list.releases);
  const compareWith = useRegistry((s) => s.compareWith);
  const diff = useRegistry((s) => s.diff);
  const others = releases
    .filter((r) => refKey(r) !== refKey(release))
    .sort((a, b) => Number(b.name === release.name) - Number(a.name === release.name) || refKey(a).localeCompare(refKey(b)));
  if (others.length === 0) return <p>There is no other release in the registry to compare with.</p>;
  return (
    <>
      <div className="field inline-field">
        <label htmlFor="compare-with">Compare with</label>
        <select
          id="compare-with"
          value={compareWith ? refKey(compareWith) : ''}
          onChange={(e) => {
            const other = others.find((r) => refKey(r) === e.target.value);
            void registry.getState().compare(other ? { name: other.name, version: other.version } : null);
          }}
        >
          <option value="">Choose a release…</option>
          {others.map((r) => (
            <option key={refKey(r)} value={refKey(r)}>
              {r.name} {r.version}
            </option>
          ))}
        </select>
      </div>
      {diff.status === 'running' && <p role="status">Comparing…</p>}
      {diff.error && <ErrorCard error={diff.error} focus={false} />}
      {diff.result && <ReleaseDiffView diff={diff.result} />}
    </>
  );
}

function ReleaseView({ release }: { release: ReleaseDetail }) {
  const { registry } = useStoresApi();
  const heading = useFocusWhen<HTMLHeadingElement>(release);
  const [tab, setTab] = useState('packages');
  const signer = describeSigner(release.signer);
  return (
    <section className="card" aria-labelledby="release-title" data-testid="release-detail">
      <div className="card-header">
        <h2 id="release-title" ref={heading} tabIndex={-1}>
          {release.name} {release.version}
        </h2>
        <button type="button" className="button secondary small" onClick={() => registry.getState().close()}>
          Close
        </button>
      </div>
      {release.description && <p>{release.description}</p>}
      <Facts
        items={[
          ['Channel', release.channel],
          ['Publisher', release.publisher ?? 'not stated in the kit'],
          ['Trusted as', release.trustPublisher],
          [signer.label, <code className="fingerprint">{signer.value}</code>],
          ['Created', formatDate(release.created)],
          ['Imported', formatDate(release.importedAt)],
          ['Files', `${release.fileCount} (${formatBytes(release.totalBytes)})`],
          ['Migrations', release.migrations.length === 0 ? 'none' : release.migrations.map((m) => `${m.id}${m.destructive ? ' (destructive)' : ''}`).join(', ')],
          ['SHA256SUMS', <code className="wrap">sha256:{release.sumsSha256}</code>],
        ]}
      />
      <Tabs
        label={`${release.name} ${release.version}`}
        selected={tab}
        onSelect={setTab}
        tabs={[
          { id: 'packages', label: `SBOM packages (${release.packages.length})`, panel: <PackagesPanel release={release} /> },
          { id: 'images', label: `Images (${release.images.length})`, panel: <ImagesPanel release={release} /> },
          { id: 'files', label: `Files (${release.files.length})`, panel: <FilesPanel release={release} /> },
          { id: 'compare', label: 'Compare', panel: <ComparePanel release={release} /> },
        ]}
      />
    </section>
  );
}

export function RegistryScreen() {
  const heading = useFocusOnMount<HTMLHeadingElement>();
  const { registry, app } = useStoresApi();
  const list = useRegistry((s) => s.list);
  const detail = useRegistry((s) => s.detail);
  const dataDir = useApp((s) => s.info?.dataDir);
  useEffect(() => {
    void registry.getState().load();
  }, [registry]);
  return (
    <>
      <h1 ref={heading} tabIndex={-1}>
        Registry
      </h1>
      <p className="lead">
        Releases imported into this computer’s local registry{dataDir ? ' (' : ''}
        {dataDir && <code className="wrap">{dataDir}</code>}
        {dataDir ? ')' : ''}. Each was verified in full when it was imported.
      </p>
      {list.error && <ErrorCard error={list.error} focus={false} />}
      {list.status === 'running' && list.releases.length === 0 && <p role="status">Loading…</p>}
      {list.status === 'done' && list.releases.length === 0 && (
        <section className="card card-notice">
          <p>The registry is empty. Import a kit to see it here.</p>
          <div className="actions">
            <button type="button" className="button" onClick={() => app.getState().show('flow')}>
              Add a kit
            </button>
          </div>
        </section>
      )}
      {list.releases.length > 0 && <ReleaseTable releases={list.releases} onOpen={(r) => void registry.getState().open({ name: r.name, version: r.version })} />}
      {detail.status === 'running' && <p role="status">Opening the release…</p>}
      {detail.error && <ErrorCard error={detail.error} />}
      {detail.release && <ReleaseView release={detail.release} />}
    </>
  );
}
