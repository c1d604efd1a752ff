import { formatBytes } from '../../shared/format.ts';
import type { ReleaseDiff } from '../stores/registry-store.ts';

function Count({ n, word }: { n: number; word: string }) {
  return (
    <span>
      {n} {word}
    </span>
  );
}

export function ReleaseDiffView({ diff }: { diff: ReleaseDiff }) {
  const from = `${diff.from.name} ${diff.from.version}`;
  const to = `${diff.to.name} ${diff.to.version}`;
  return (
    <div className="diff" data-testid="release-diff">
      <p>
        From <strong>{from}</strong> to <strong>{to}</strong>:
      </p>
      <h4>Files</h4>
      <p className="diff-summary">
        <Count n={diff.files.added.length} word="added" />, <Count n={diff.files.removed.length} word="removed" />,{' '}
        <Count n={diff.files.changed.length} word="changed" />, <Count n={diff.files.unchanged} word="unchanged" />
      </p>
      {(diff.files.added.length > 0 || diff.files.removed.length > 0 || diff.files.changed.length > 0) && (
        <ul className="diff-list">
          {diff.files.added.map((f) => (
            <li key={`a-${f.path}`}>
              <span className="diff-tag diff-added">added</span> <code>{f.path}</code> ({formatBytes(f.size)})
            </li>
          ))}
          {diff.files.removed.map((f) => (
            <li key={`r-${f.path}`}>
              <span className="diff-tag diff-removed">removed</span> <code>{f.path}</code>
            </li>
          ))}
          {diff.files.changed.map((f) => (
            <li key={`c-${f.path}`}>
              <span className="diff-tag diff-changed">changed</span> <code>{f.path}</code> ({formatBytes(f.from.size)} → {formatBytes(f.to.size)})
            </li>
          ))}
        </ul>
      )}
      <h4>Images</h4>
      <p className="diff-summary">
        <Count n={diff.images.added.length} word="added" />, <Count n={diff.images.removed.length} word="removed" />,{' '}
        <Count n={diff.images.changed.length} word="changed" />, <Count n={diff.images.unchanged} word="unchanged" />
      </p>
      {(diff.images.added.length > 0 || diff.images.removed.length > 0 || diff.images.changed.length > 0) && (
        <ul className="diff-list">
          {diff.images.added.map((i) => (
            <li key={`a-${i.ref}`}>
              <span className="diff-tag diff-added">added</span> <code>{i.ref}</code>
            </li>
          ))}
          {diff.images.removed.map((i) => (
            <li key={`r-${i.ref}`}>
              <span className="diff-tag diff-removed">removed</span> <code>{i.ref}</code>
            </li>
          ))}
          {diff.images.changed.map((i) => (
            <li key={`c-${i.ref}`}>
              <span className="diff-tag diff-changed">changed</span> <code>{i.ref}</code>
            </li>
          ))}
        </ul>
      )}
      <h4>SBOM packages</h4>
      <p className="diff-summary">
        <Count n={diff.packages.added.length} word="added" />, <Count n={diff.packages.removed.length} word="removed" />,{' '}
        <Count n={diff.packages.changed.length} word="changed" />, <Count n={diff.packages.unchanged} word="unchanged" />
      </p>
      {(diff.packages.added.length > 0 || diff.packages.removed.length > 0 || diff.packages.changed.length > 0) && (
        <ul className="diff-list">
          {diff.packages.added.map((p) => (
            <li key={`a-${p.name}-${p.purl}`}>
              <span className="diff-tag diff-added">added</span> {p.name} {p.versions.join(', ')}
            </li>
          ))}
          {diff.packages.removed.map((p) => (
            <li key={`r-${p.name}-${p.purl}`}>
              <span className="diff-tag diff-removed">removed</span> {p.name} {p.versions.join(', ')}
            </li>
          ))}
          {diff.packages.changed.map((p) => (
            <li key={`c-${p.name}-${p.purl}`}>
              <span className="diff-tag diff-changed">changed</span> {p.name} {p.from.versions.join(', ') || '–'} → {p.to.versions.join(', ') || '–'}
              {p.from.licenses.join(',') !== p.to.licenses.join(',') && ` (license ${p.from.licenses.join(', ') || '–'} → ${p.to.licenses.join(', ') || '–'})`}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
