import { describe, expect, it } from 'vitest';
import { formatFieldPath, isRfc3339Utc, isSemver, kitManifestSchema } from '../../../shared/kit-manifest.ts';

const base = { schema: 'airlock.kit/v1', name: 'hello', version: '1.0.0', created: '2026-01-31T12:00:00Z' };

function firstIssueField(input: unknown): string | undefined {
  const r = kitManifestSchema.safeParse(input);
  return r.success ? undefined : formatFieldPath(r.error.issues[0]!.path);
}

describe('kit.json schema', () => {
  it('accepts the minimal manifest and keeps unknown fields', () => {
    const parsed = kitManifestSchema.parse({ ...base, futureField: { x: 1 } });
    expect(parsed.name).toBe('hello');
    expect((parsed as Record<string, unknown>).futureField).toEqual({ x: 1 });
  });

  it('accepts a full manifest', () => {
    const full = {
      ...base,
      channel: 'lts',
      calendar: '2026.01',
      requires: { platforms: [{ os: 'rhel', versions: ['8', '9'] }, { os: 'ubuntu', versions: ['22.04'] }], arch: ['x64'], diskBytes: 1, memoryBytes: 2, cpus: 1, fips: 'required', upgradeFrom: '>=0.9.0 <1.0.0' },
      sboms: [{ path: 'sbom/app.spdx.json', format: 'spdx-json' }],
      attestations: [{ path: 'att/prov.json', predicateType: 'https://slsa.dev/provenance/v1' }],
      databases: [{ id: 'main', engine: 'sqlite', path: 'data/main.db' }],
      migrations: [{ id: '0001_init', database: 'main', path: 'migrations/0001.sql' }, { id: '0002-more', database: 'main', path: 'migrations/0002.sql', destructive: true }],
      health: [{ type: 'file', path: 'bin/app' }, { type: 'sql', database: 'main', query: 'select 1', expect: { rows: 1 } }],
    };
    expect(kitManifestSchema.safeParse(full).success).toBe(true);
  });

  it.each([
    [{ ...base, name: 'Hello' }, 'name'],
    [{ ...base, name: '-x' }, 'name'],
    [{ ...base, version: '1.0' }, 'version'],
    [{ ...base, version: 'v1.0.0' }, 'version'],
    [{ ...base, created: '2026-01-31 12:00:00' }, 'created'],
    [{ ...base, created: '2026-02-30T12:00:00Z' }, 'created'],
    [{ ...base, created: '2026-01-31T12:00:00+01:00' }, 'created'],
    [{ ...base, channel: 'beta' }, 'channel'],
    [{ ...base, calendar: '2026.13' }, 'calendar'],
    [{ ...base, requires: { platforms: [{ os: 'fedora', versions: ['40'] }] } }, 'requires.platforms[0].os'],
    [{ ...base, requires: { platforms: [{ os: 'rhel', versions: ['9.x'] }] } }, 'requires.platforms[0].versions[0]'],
    [{ ...base, requires: { arch: ['ia32'] } }, 'requires.arch[0]'],
    [{ ...base, requires: { diskBytes: -1 } }, 'requires.diskBytes'],
    [{ ...base, requires: { fips: 'maybe' } }, 'requires.fips'],
    [{ ...base, sboms: [{ path: 'a.json', format: 'swid' }] }, 'sboms[0].format'],
    [{ ...base, databases: [{ id: 'main', engine: 'postgres', path: 'x' }] }, 'databases[0].engine'],
    [{ ...base, databases: [{ id: 'main', engine: 'sqlite', path: 'x' }], migrations: [{ id: '1_init', database: 'main', path: 'm.sql' }] }, 'migrations[0].id'],
    [{ ...base, databases: [{ id: 'main', engine: 'sqlite', path: 'x' }], migrations: [{ id: '0002_b', database: 'main', path: 'b.sql' }, { id: '0001_a', database: 'main', path: 'a.sql' }] }, 'migrations[1].id'],
    [{ ...base, databases: [{ id: 'main', engine: 'sqlite', path: 'x' }], migrations: [{ id: '0001_a', database: 'other', path: 'a.sql' }] }, 'migrations[0].database'],
    [{ ...base, health: [{ type: 'http', url: 'x' }] }, 'health[0].type'],
  ])('rejects %j naming field %s', (input, field) => {
    expect(firstIssueField(input)).toBe(field);
  });

  it('accepts minor versions of the v1 schema', () => {
    expect(kitManifestSchema.safeParse({ ...base, schema: 'airlock.kit/v1.3' }).success).toBe(true);
  });

  it('requires the v1 schema', () => {
    expect(firstIssueField({ ...base, schema: 'airlock.kit/v2' })).toBe('schema');
  });
});

describe('format helpers', () => {
  it('knows SemVer 2.0.0', () => {
    for (const ok of ['0.0.0', '1.2.3', '1.2.3-rc.1', '1.2.3-0.3.7', '1.0.0-x.7.z.92', '1.0.0+20130313144700', '1.0.0-beta+exp.sha.5114f85']) expect(isSemver(ok)).toBe(true);
    for (const bad of ['1', '1.2', '01.2.3', '1.2.3-01', 'v1.2.3', '1.2.3-', '1.2.3+', ' 1.2.3']) expect(isSemver(bad)).toBe(false);
  });

  it('knows RFC 3339 UTC', () => {
    expect(isRfc3339Utc('2024-02-29T23:59:59Z')).toBe(true);
    expect(isRfc3339Utc('2024-02-29T23:59:59.123456Z')).toBe(true);
    expect(isRfc3339Utc('2023-02-29T00:00:00Z')).toBe(false);
    expect(isRfc3339Utc('2024-01-01T24:00:00Z')).toBe(false);
    expect(isRfc3339Utc('2024-01-01')).toBe(false);
  });

  it('formats field paths', () => {
    expect(formatFieldPath(['requires', 'platforms', 0, 'os'])).toBe('requires.platforms[0].os');
    expect(formatFieldPath([])).toBe('');
  });
});
