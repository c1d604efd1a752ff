import { describe, expect, it } from 'vitest';
import { diffReleases, purlIdentity } from '../../../electron/core/registry/release-diff.ts';
import type { ReleaseDetail, ReleaseFile, ReleaseImage, ReleasePackage } from '../../../electron/core/registry/registry-types.ts';

function release(version: string, files: ReleaseFile[], images: ReleaseImage[], packages: ReleasePackage[]): ReleaseDetail {
  return {
    name: 'app', version, channel: 'stable', created: 'c', publisher: null, trustPublisher: 'p',
    signer: { kind: 'key', keyHint: 'h', fingerprint: 'f' }, sumsSha256: version, fileCount: files.length, totalBytes: 0,
    imageCount: images.length, importedAt: 't', importOperationId: 1, calendar: null, description: null,
    signature: { signer: { kind: 'key', keyHint: 'h', fingerprint: 'f' }, publisher: 'p', bundleMediaType: 'm', content: 'message-signature', tlogEntries: [], timestamps: [] },
    sumsDigest: `sha256:${version}`, bundleDigest: 'b', manifestDigest: 'm', files, images, sboms: [], packages, attestations: [], migrations: [],
  };
}
const f = (path: string, digest: string, mode = 0o644): ReleaseFile => ({ path, digest: `sha256:${digest}`, size: 1, mode });
const img = (ref: string, digest: string): ReleaseImage => ({ ref, digest: `sha256:${digest}`, mediaType: 'application/vnd.oci.image.manifest.v1+json', size: 1 });
const pkg = (name: string, version: string | null, purl: string | null = null, license: string | null = 'MIT'): ReleasePackage => ({ sbomPath: 's.json', name, version, license, purl });

describe('diffReleases', () => {
  it('lists files added, removed and changed (digest or mode), and counts the unchanged', () => {
    const a = release('1.0.0', [f('kit.json', 'a1'), f('payload/bin/x', 'b1', 0o755), f('payload/old', 'c1'), f('payload/same', 'd1'), f('payload/mode', 'e1')], [], []);
    const b = release('1.1.0', [f('kit.json', 'a2'), f('payload/bin/x', 'b2', 0o755), f('payload/new', 'c2'), f('payload/same', 'd1'), f('payload/mode', 'e1', 0o755)], [], []);
    const d = diffReleases(a, b);
    expect(d.from).toEqual({ name: 'app', version: '1.0.0' });
    expect(d.to).toEqual({ name: 'app', version: '1.1.0' });
    expect(d.files.added.map((x) => x.path)).toEqual(['payload/new']);
    expect(d.files.removed.map((x) => x.path)).toEqual(['payload/old']);
    expect(d.files.changed.map((x) => x.path)).toEqual(['kit.json', 'payload/bin/x', 'payload/mode']);
    expect(d.files.changed[1]).toEqual({ path: 'payload/bin/x', from: { digest: 'sha256:b1', size: 1, mode: 0o755 }, to: { digest: 'sha256:b2', size: 1, mode: 0o755 } });
    expect(d.files.unchanged).toBe(1);
  });

  it('compares images by reference and digest', () => {
    const a = release('1', [], [img('r/api:1', 'aa'), img('r/gone:1', 'bb'), img('r/same:1', 'cc')], []);
    const b = release('2', [], [img('r/api:1', 'dd'), img('r/new:1', 'ee'), img('r/same:1', 'cc')], []);
    const d = diffReleases(a, b);
    expect(d.images.added.map((i) => i.ref)).toEqual(['r/new:1']);
    expect(d.images.removed.map((i) => i.ref)).toEqual(['r/gone:1']);
    expect(d.images.changed).toEqual([{ ref: 'r/api:1', from: { digest: 'sha256:aa', mediaType: img('x', 'aa').mediaType }, to: { digest: 'sha256:dd', mediaType: img('x', 'dd').mediaType } }]);
    expect(d.images.unchanged).toBe(1);
  });

  it('compares SBOM packages by name and purl identity, reporting version and license changes', () => {
    const a = release('1', [], [], [
      pkg('openssl', '3.0.11', 'pkg:deb/debian/openssl@3.0.11?arch=amd64'),
      pkg('zlib', '1.2.13', 'pkg:generic/zlib@1.2.13'),
      pkg('left-pad', '1.0.0', 'pkg:npm/left-pad@1.0.0'),
      pkg('lodash', '4.17.20', 'pkg:npm/lodash@4.17.20'),
      pkg('lodash', '3.10.1', 'pkg:npm/lodash@3.10.1'),
      pkg('relicensed', '2.0.0', null, 'BSD-3-Clause'),
    ]);
    const b = release('2', [], [], [
      pkg('openssl', '3.0.13', 'pkg:deb/debian/openssl@3.0.13?arch=amd64'),
      pkg('zlib', '1.2.13', 'pkg:generic/zlib@1.2.13'),
      pkg('@scope/new', '0.1.0', 'pkg:npm/%40scope/new@0.1.0'),
      pkg('lodash', '4.17.21', 'pkg:npm/lodash@4.17.21'),
      pkg('relicensed', '2.0.0', null, 'Apache-2.0'),
    ]);
    const d = diffReleases(a, b);
    expect(d.packages.added).toEqual([{ name: '@scope/new', purl: 'pkg:npm/%40scope/new', versions: ['0.1.0'], licenses: ['MIT'] }]);
    expect(d.packages.removed).toEqual([{ name: 'left-pad', purl: 'pkg:npm/left-pad', versions: ['1.0.0'], licenses: ['MIT'] }]);
    expect(d.packages.changed).toEqual([
      { name: 'lodash', purl: 'pkg:npm/lodash', from: { versions: ['3.10.1', '4.17.20'], licenses: ['MIT'] }, to: { versions: ['4.17.21'], licenses: ['MIT'] } },
      { name: 'openssl', purl: 'pkg:deb/debian/openssl', from: { versions: ['3.0.11'], licenses: ['MIT'] }, to: { versions: ['3.0.13'], licenses: ['MIT'] } },
      { name: 'relicensed', purl: null, from: { versions: ['2.0.0'], licenses: ['BSD-3-Clause'] }, to: { versions: ['2.0.0'], licenses: ['Apache-2.0'] } },
    ]);
    expect(d.packages.unchanged).toBe(1);
  });

  it('finds nothing between a release and itself', () => {
    const a = release('1', [f('a', '1')], [img('r:1', '2')], [pkg('p', '1')]);
    const d = diffReleases(a, a);
    expect([d.files, d.images, d.packages].map((s) => [s.added.length, s.removed.length, s.changed.length, s.unchanged])).toEqual([[0, 0, 0, 1], [0, 0, 0, 1], [0, 0, 0, 1]]);
  });
});

describe('purlIdentity', () => {
  it('drops version, qualifiers and subpath but keeps a namespace', () => {
    expect(purlIdentity('pkg:maven/org.apache/commons-io@2.11.0?type=jar#sub/dir')).toBe('pkg:maven/org.apache/commons-io');
    expect(purlIdentity('pkg:npm/%40angular/core@17.0.0')).toBe('pkg:npm/%40angular/core');
    expect(purlIdentity('pkg:golang/github.com/x/y')).toBe('pkg:golang/github.com/x/y');
    expect(purlIdentity(null)).toBeNull();
  });
});
