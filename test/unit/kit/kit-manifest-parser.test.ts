import { describe, expect, it } from 'vitest';
import { AirlockError } from '../../../shared/airlock-error.ts';
import { checkManifestPaths, imagesPrefixOf, parseKitManifest } from '../../../electron/core/kit/kit-manifest-parser.ts';
import { baseManifest } from '../../helpers/tar-fixtures.ts';

const bytes = (doc: unknown) => Buffer.from(typeof doc === 'string' ? doc : JSON.stringify(doc));

function refused(fn: () => unknown): AirlockError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(AirlockError);
    return error as AirlockError;
  }
  throw new Error('accepted');
}

describe('parseKitManifest', () => {
  it('reads a valid manifest and keeps unknown fields', () => {
    const m = parseKitManifest(bytes(baseManifest({ futureField: { x: 1 }, channel: 'lts' })));
    expect(m).toMatchObject({ name: 'hello', version: '1.0.0', channel: 'lts', futureField: { x: 1 } });
  });

  it.each([
    ['airlock.kit/v2'],
    ['airlock.kit/v10'],
    ['airlock.kit/v0'],
  ])('refuses schema %s with KIT_SCHEMA', (schema) => {
    const e = refused(() => parseKitManifest(bytes(baseManifest({ schema }))));
    expect(e.code).toBe('KIT_SCHEMA');
    expect(e.field).toBe('schema');
  });

  it.each([
    ['a missing schema', { name: 'x' }],
    ['a schema that is not a string', baseManifest({ schema: 1 })],
    ['another format', baseManifest({ schema: 'other.kit/v1' })],
    ['a version that is not a number', baseManifest({ schema: 'airlock.kit/vX' })],
  ])('refuses %s with KIT_MANIFEST_INVALID on "schema"', (_name, doc) => {
    const e = refused(() => parseKitManifest(bytes(doc)));
    expect(e.code).toBe('KIT_MANIFEST_INVALID');
    expect(e.field).toBe('schema');
  });

  it.each([
    ['name', baseManifest({ name: 'Hello World' })],
    ['name', (() => { const m = baseManifest(); delete m.name; return m; })()],
    ['version', baseManifest({ version: 'v1.0' })],
    ['created', baseManifest({ created: '2026-02-30T00:00:00Z' })],
    ['channel', baseManifest({ channel: 'nightly' })],
    ['requires.platforms[0].os', baseManifest({ requires: { platforms: [{ os: 'beos', versions: ['5'] }] } })],
    ['migrations[1].id', baseManifest({ databases: [{ id: 'main', engine: 'sqlite', path: 'data/main.db' }], migrations: [{ id: '0002_b', database: 'main', path: 'm/2.sql' }, { id: '0001_a', database: 'main', path: 'm/1.sql' }] })],
  ])('refuses a bad "%s" with KIT_MANIFEST_INVALID naming the field', (field, doc) => {
    const e = refused(() => parseKitManifest(bytes(doc)));
    expect(e.code).toBe('KIT_MANIFEST_INVALID');
    expect(e.field).toBe(field);
    expect(e.message).toContain(field);
    expect(e.path).toBe('kit.json');
  });

  it.each([
    ['not JSON', bytes('{"schema":')],
    ['not an object', bytes('[1,2]')],
    ['not UTF-8', Buffer.from([0x7b, 0xff, 0x7d])],
    ['over 1 MiB', bytes(baseManifest({ description: 'x'.repeat(1024 * 1024) }))],
  ])('refuses kit.json that is %s', (_name, b) => {
    expect(refused(() => parseKitManifest(b)).code).toBe('KIT_MANIFEST_INVALID');
  });
});

describe('checkManifestPaths', () => {
  const files = new Set(['kit.json', 'docs/notes.md', 'payload/bin/app', 'sbom/app.spdx.json', 'att/prov.json', 'migrations/0001_init.sql', 'migrations/0002_more.sql', 'extra/x']);
  const check = (extra: Record<string, unknown>) => checkManifestPaths(parseKitManifest(bytes(baseManifest(extra))), files);
  const db = { databases: [{ id: 'main', engine: 'sqlite', path: 'data/main.db' }] };

  it('accepts paths that are present', () => {
    expect(() =>
      check({
        releaseNotes: 'docs/notes.md',
        payload: 'payload/',
        sboms: [{ path: 'sbom/app.spdx.json', format: 'spdx-json' }],
        attestations: [{ path: 'att/prov.json', predicateType: 'https://slsa.dev/provenance/v1' }],
        ...db,
        migrations: [
          { id: '0001_init', database: 'main', path: 'migrations/0001_init.sql' },
          { id: '0002_more', database: 'main', path: 'migrations/0002_more.sql' },
        ],
        health: [{ type: 'file', path: 'bin/app' }],
      }),
    ).not.toThrow();
  });

  it('accepts a kit without the default payload/ folder', () => {
    expect(() => checkManifestPaths(parseKitManifest(bytes(baseManifest())), new Set(['kit.json']))).not.toThrow();
  });

  it.each([
    ['releaseNotes', { releaseNotes: 'docs/missing.md' }],
    ['releaseNotes', { releaseNotes: './docs/notes.md' }],
    ['releaseNotes', { releaseNotes: 'docs' }],
    ['payload', { payload: 'nothing-here/' }],
    ['payload', { payload: 'payload' }],
    ['payload', { payload: '../payload/' }],
    ['images', { images: 'images/' }],
    ['sboms[0].path', { sboms: [{ path: 'sbom/missing.json', format: 'spdx-json' }] }],
    ['attestations[0].path', { attestations: [{ path: '/abs/prov.json', predicateType: 'x' }] }],
    ['migrations[1].path', { ...db, migrations: [{ id: '0001_init', database: 'main', path: 'migrations/0001_init.sql' }, { id: '0002_more', database: 'main', path: 'migrations/0003_gone.sql' }] }],
    ['databases[0].path', { databases: [{ id: 'main', engine: 'sqlite', path: '../outside.db' }] }],
    ['health[0].path', { health: [{ type: 'file', path: 'C:/x' }] }],
  ])('refuses a bad "%s" with KIT_MANIFEST_INVALID naming the field', (field, extra) => {
    const e = refused(() => check(extra));
    expect(e.code).toBe('KIT_MANIFEST_INVALID');
    expect(e.field).toBe(field);
  });

  it('finds the images prefix from kit.json or the default layout file', () => {
    const m = parseKitManifest(bytes(baseManifest()));
    expect(imagesPrefixOf(m, (p) => p === 'images/oci-layout')).toBe('images/');
    expect(imagesPrefixOf(m, () => false)).toBeNull();
    expect(imagesPrefixOf(parseKitManifest(bytes(baseManifest({ images: 'oci/' }))), () => false)).toBe('oci/');
  });
});
