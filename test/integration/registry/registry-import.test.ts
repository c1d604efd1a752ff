// kit import / list / show / diff against real signed kits built by the real builder.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Registry } from '../../../electron/core/registry/registry.ts';
import { CATALOG_MIGRATIONS } from '../../../electron/core/db/migrations/catalog-migrations.ts';
import { openCatalogDb } from '../../../electron/core/db/catalog-db.ts';
import type { CrashPoint } from '../../../electron/core/registry/store-fs.ts';
import { SPDX_DOC, buildTestKit, makeKitEnv, runCli, seededBytes, snapshotRegistry, type KitEnv, type TestKitSpec } from './registry-kit-fixtures.ts';

let tmp: string;
let env: KitEnv;
let kitV1: string;
let kitV2: string;
let n = 0;
const freshDataDir = (): string => path.join(tmp, `data-${++n}`);

const CYCLONEDX = {
  bomFormat: 'CycloneDX',
  specVersion: '1.5',
  components: [
    { type: 'library', name: 'express', version: '4.19.2', purl: 'pkg:npm/express@4.19.2', licenses: [{ license: { id: 'MIT' } }],
      components: [{ type: 'library', name: 'qs', version: '6.11.0', purl: 'pkg:npm/qs@6.11.0' }] },
  ],
};

const V1: TestKitSpec = {
  name: 'app',
  version: '1.0.0',
  files: {
    'payload/bin/app': { data: '#!/bin/sh\necho app 1\n', mode: 0o755 },
    'payload/share/data.bin': seededBytes('data-v1', 300_000),
    'payload/share/old.txt': 'removed in 1.1\n',
    'payload/share/same.txt': 'unchanged\n',
    'payload/share/copy-of-same.txt': 'unchanged\n',
    'payload/share/empty': '',
  },
  image: { ref: 'registry.example/app/api:1.0.0', layerSeed: 'layer-v1' },
  sboms: [
    { path: 'sbom/app.spdx.json', format: 'spdx-json', doc: SPDX_DOC([
      { name: 'openssl', version: '3.0.11', license: 'Apache-2.0', purl: 'pkg:deb/debian/openssl@3.0.11' },
      { name: 'zlib', version: '1.2.13', license: 'Zlib', purl: 'pkg:generic/zlib@1.2.13' },
    ]) },
    { path: 'sbom/app.cdx.json', format: 'cyclonedx-json', doc: CYCLONEDX },
  ],
  attestations: [{ path: 'attestations/provenance.json', predicateType: 'https://slsa.dev/provenance/v1', data: '{"payloadType":"x"}' }],
  migrations: [{ id: '0001_init', sql: 'CREATE TABLE t (id INTEGER PRIMARY KEY);\n' }],
};

const V2: TestKitSpec = {
  ...V1,
  version: '1.1.0',
  files: {
    'payload/bin/app': { data: '#!/bin/sh\necho app 1.1\n', mode: 0o755 },
    'payload/share/data.bin': seededBytes('data-v1', 300_000),
    'payload/share/new.txt': 'added in 1.1\n',
    'payload/share/same.txt': 'unchanged\n',
    'payload/share/copy-of-same.txt': 'unchanged\n',
    'payload/share/empty': '',
  },
  image: { ref: 'registry.example/app/api:1.1.0', layerSeed: 'layer-v2' },
  sboms: [
    { path: 'sbom/app.spdx.json', format: 'spdx-json', doc: SPDX_DOC([
      { name: 'openssl', version: '3.0.13', license: 'Apache-2.0', purl: 'pkg:deb/debian/openssl@3.0.13' },
      { name: 'zlib', version: '1.2.13', license: 'Zlib', purl: 'pkg:generic/zlib@1.2.13' },
      { name: 'libyaml', version: '0.2.5', license: 'MIT', purl: 'pkg:generic/libyaml@0.2.5' },
    ]) },
  ],
};

beforeAll(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'airlock-registry-'));
  env = await makeKitEnv(tmp);
  kitV1 = await buildTestKit(env, V1);
  kitV2 = await buildTestKit(env, V2);
});

afterAll(() => {
  fs.rmSync(tmp, { recursive: true, force: true });
});

async function withRegistry<T>(dataDir: string, fn: (r: Registry) => Promise<T> | T, deps: Parameters<typeof Registry.open>[1] = {}): Promise<T> {
  const registry = await Registry.open(dataDir, deps);
  try {
    return await fn(registry);
  } finally {
    registry.close();
  }
}

describe('kit import', () => {
  it('imports files, images, SBOM packages, attestations and migrations in one pass, consistently', async () => {
    const dataDir = freshDataDir();
    const phases = new Set<string>();
    const result = await withRegistry(dataDir, (r) => r.import(kitV1, { signature: env.signature, onProgress: (e) => phases.add(e.phase) }));
    expect(result).toMatchObject({ status: 'imported', check: 'full', blobsReused: 1 });
    expect(phases).toEqual(new Set(['import']));
    await withRegistry(dataDir, async (r) => {
      expect(r.list().map((x) => `${x.name}@${x.version}`)).toEqual(['app@1.0.0']);
      const d = r.show('app', '1.0.0');
      expect(d.fileCount).toBe(d.files.length);
      expect(d.files.find((f) => f.path === 'payload/bin/app')?.mode).toBe(0o755);
      expect(d.files.find((f) => f.path === 'payload/share/old.txt')?.mode).toBe(0o644);
      expect(d.images).toEqual([expect.objectContaining({ ref: 'registry.example/app/api:1.0.0', mediaType: 'application/vnd.oci.image.manifest.v1+json' })]);
      expect(d.sboms.map((s) => [s.path, s.format, s.specVersion, s.packageCount])).toEqual([
        ['sbom/app.cdx.json', 'cyclonedx-json', '1.5', 2],
        ['sbom/app.spdx.json', 'spdx-json', 'SPDX-2.3', 2],
      ]);
      expect(d.packages.map((p) => `${p.name}@${p.version} ${p.license}`)).toEqual(['express@4.19.2 MIT', 'openssl@3.0.11 Apache-2.0', 'qs@6.11.0 null', 'zlib@1.2.13 Zlib']);
      expect(d.attestations).toEqual([expect.objectContaining({ path: 'attestations/provenance.json', predicateType: 'https://slsa.dev/provenance/v1' })]);
      expect(d.migrations).toEqual([expect.objectContaining({ id: '0001_init', database: 'main', path: 'migrations/0001_init.sql', destructive: false })]);
      expect(d.signer).toMatchObject({ kind: 'key' });
      expect(d.trustPublisher).toBe('cli-keys');
      expect(await r.check({ deep: true })).toEqual({ ok: true, problems: [], blobsChecked: expect.any(Number) });
      expect(r.catalog.operations('import')).toEqual([expect.objectContaining({ status: 'succeeded', errorCode: null })]);
    });
    const index = JSON.parse(fs.readFileSync(path.join(dataDir, 'registry/oci/index.json'), 'utf8'));
    expect(index.manifests.map((m: { annotations: Record<string, string> }) => m.annotations['org.opencontainers.image.ref.name'])).toEqual(['registry.example/app/api:1.0.0']);
  });

  it('is a valid OCI layout that skopeo reads by reference', async () => {
    const dataDir = freshDataDir();
    await withRegistry(dataDir, (r) => r.import(kitV1, { signature: env.signature }));
    const out = execFileSync('skopeo', ['inspect', `oci:${path.join(dataDir, 'registry/oci')}:registry.example/app/api:1.0.0`], { encoding: 'utf8' });
    const info = JSON.parse(out) as { Architecture: string; Os: string; Layers: string[]; Digest: string };
    expect(info.Architecture).toBe('amd64');
    expect(info.Os).toBe('linux');
    expect(info.Layers).toHaveLength(1);
    const shown = await withRegistry(dataDir, (r) => r.show('app', '1.0.0'));
    expect(info.Digest).toBe(shown.images[0]!.digest);
  });

  it('imports again without changing anything, and says so', async () => {
    const dataDir = freshDataDir();
    await withRegistry(dataDir, (r) => r.import(kitV1, { signature: env.signature }));
    const before = snapshotRegistry(dataDir);
    const again = await withRegistry(dataDir, (r) => r.import(kitV1, { signature: env.signature }));
    expect(again).toMatchObject({ status: 'unchanged', check: 'quick', blobsWritten: 0, operationId: null, release: { name: 'app', version: '1.0.0' } });
    expect(snapshotRegistry(dataDir)).toEqual(before);
    const cli = await runCli(['kit', 'import', kitV1, '--key', env.publicPath, '--data-dir', dataDir]);
    expect(cli.exitCode).toBe(0);
    expect(cli.stdout).toContain('app@1.0.0 is already imported; nothing changed');
    expect(snapshotRegistry(dataDir)).toEqual(before);
  });

  it('still refuses a kit with a bad signature even when its SHA256SUMS is already imported', async () => {
    const dataDir = freshDataDir();
    await withRegistry(dataDir, (r) => r.import(kitV1, { signature: env.signature }));
    const stranger = await makeKitEnv(fs.mkdtempSync(path.join(tmp, 'stranger-')));
    await expect(withRegistry(dataDir, (r) => r.import(kitV1, { signature: stranger.signature }))).rejects.toMatchObject({ code: 'SIG_UNTRUSTED' });
  });

  it('restores a blob that went missing from the store when the kit is imported again', async () => {
    const dataDir = freshDataDir();
    await withRegistry(dataDir, (r) => r.import(kitV1, { signature: env.signature }));
    const victim = await withRegistry(dataDir, (r) => r.show('app', '1.0.0').files.find((f) => f.path === 'payload/share/data.bin')!);
    fs.rmSync(path.join(dataDir, 'registry/oci/blobs/sha256', victim.digest.slice(7)));
    expect((await withRegistry(dataDir, (r) => r.check())).ok).toBe(false);
    const result = await withRegistry(dataDir, (r) => r.import(kitV1, { signature: env.signature }));
    expect(result).toMatchObject({ status: 'unchanged', check: 'full', blobsWritten: 1 });
    expect(await withRegistry(dataDir, (r) => r.check({ deep: true }))).toMatchObject({ ok: true });
  });

  it('imports a zstd kit, an unpacked kit folder, and a kit whose root files come last', async () => {
    const zst = await buildTestKit(env, { ...V1, version: '2.0.0' }, { compress: 'zstd' });
    const unpacked = path.join(tmp, 'unpacked-kit');
    fs.mkdirSync(unpacked);
    execFileSync('tar', ['-xf', await buildTestKit(env, { ...V1, version: '3.0.0' }), '-C', unpacked]);
    const reorderedDir = path.join(tmp, 'reordered-src');
    fs.mkdirSync(reorderedDir);
    execFileSync('tar', ['-xf', await buildTestKit(env, { ...V1, version: '4.0.0' }), '-C', reorderedDir]);
    const reordered = path.join(tmp, 'reordered.kit.tar');
    execFileSync('tar', ['--format=ustar', '-cf', reordered, '-C', reorderedDir, 'payload', 'images', 'sbom', 'attestations', 'migrations', 'kit.json', 'SHA256SUMS', 'SHA256SUMS.sigstore.json']);

    const dataDir = freshDataDir();
    await withRegistry(dataDir, async (r) => {
      expect((await r.import(zst, { signature: env.signature })).status).toBe('imported');
      expect((await r.import(unpacked, { signature: env.signature })).status).toBe('imported');
      expect((await r.import(reordered, { signature: env.signature })).status).toBe('imported');
      expect(await r.import(reordered, { signature: env.signature })).toMatchObject({ status: 'unchanged', check: 'full' });
      expect(r.list().map((x) => x.version)).toEqual(['2.0.0', '3.0.0', '4.0.0']);
      // Identical payload files across the three releases are one blob each.
      expect(r.show('app', '2.0.0').files.find((f) => f.path === 'payload/share/data.bin')!.digest).toBe(r.show('app', '4.0.0').files.find((f) => f.path === 'payload/share/data.bin')!.digest);
      expect(await r.check({ deep: true })).toMatchObject({ ok: true });
    });
  });

  it('refuses a second kit with the same name@version but other contents (RELEASE_CONFLICT), changing nothing', async () => {
    const dataDir = freshDataDir();
    await withRegistry(dataDir, (r) => r.import(kitV1, { signature: env.signature }));
    const before = snapshotRegistry(dataDir);
    const impostor = await buildTestKit(env, { ...V1, files: { ...V1.files, 'payload/share/extra': 'rebuilt' } });
    await expect(withRegistry(dataDir, (r) => r.import(impostor, { signature: env.signature }))).rejects.toMatchObject({
      code: 'RELEASE_CONFLICT',
      message: expect.stringContaining('app@1.0.0 is already in the registry'),
    });
    const after = snapshotRegistry(dataDir);
    expect(after.tables.releases).toEqual(before.tables.releases);
    expect(after.tables.release_files).toEqual(before.tables.release_files);
    expect(after.index).toBe(before.index);
    expect(after.ingest).toEqual([]);
    const ops = await withRegistry(dataDir, (r) => r.catalog.operations('import'));
    expect(ops.at(-1)).toMatchObject({ status: 'failed', errorCode: 'RELEASE_CONFLICT' });
  });

  it('refuses a kit with a malformed SBOM (SBOM_INVALID naming it) and makes nothing visible', async () => {
    const bad = await buildTestKit(env, { name: 'badsbom', files: { 'payload/x': 'x' }, sboms: [{ path: 'sbom/broken.spdx.json', format: 'spdx-json', doc: '{"spdxVersion":"SPDX-2.3","packages":[{"versionInfo":"1"}]}' }] });
    const dataDir = freshDataDir();
    await expect(withRegistry(dataDir, (r) => r.import(bad, { signature: env.signature }))).rejects.toMatchObject({ code: 'SBOM_INVALID', path: 'sbom/broken.spdx.json', field: 'packages[0].name' });
    await withRegistry(dataDir, async (r) => {
      expect(r.list()).toEqual([]);
      expect(await r.check()).toMatchObject({ ok: true });
      expect(r.catalog.operations('import')).toEqual([expect.objectContaining({ status: 'failed', errorCode: 'SBOM_INVALID' })]);
    });
  });

  it('resumes a cancelled import from the blobs already stored', async () => {
    const big = await buildTestKit(env, { name: 'big', files: Object.fromEntries(Array.from({ length: 12 }, (_, i) => [`payload/f${i}.bin`, seededBytes(`big-${i}`, 200_000)])) });
    const dataDir = freshDataDir();
    const ac = new AbortController();
    let committed = 0;
    const crash = (p: CrashPoint): void => {
      if (p === 'between-blobs' && ++committed === 6) ac.abort();
    };
    await expect(withRegistry(dataDir, (r) => r.import(big, { signature: env.signature, signal: ac.signal }), { crash })).rejects.toMatchObject({ code: 'CANCELLED' });
    await withRegistry(dataDir, async (r) => {
      expect(r.list()).toEqual([]);
      expect(await r.check()).toMatchObject({ ok: true });
      expect(r.catalog.operations('import')).toEqual([expect.objectContaining({ status: 'failed', errorCode: 'CANCELLED' })]);
      const resumed = await r.import(big, { signature: env.signature });
      expect(resumed.status).toBe('imported');
      expect(resumed.blobsReused).toBeGreaterThanOrEqual(5);
      expect(resumed.blobsWritten + resumed.blobsReused).toBe(15);
      expect(await r.check({ deep: true })).toMatchObject({ ok: true });
    });
  });

  it('names a reference found in two releases after the one imported last', async () => {
    const dataDir = freshDataDir();
    const retagged = await buildTestKit(env, { ...V1, version: '1.0.1', image: { ref: 'registry.example/app/api:1.0.0', layerSeed: 'layer-rebuilt' } });
    await withRegistry(dataDir, async (r) => {
      await r.import(kitV1, { signature: env.signature });
      await r.import(retagged, { signature: env.signature });
      const newer = r.show('app', '1.0.1').images[0]!.digest;
      expect(newer).not.toBe(r.show('app', '1.0.0').images[0]!.digest);
      const index = JSON.parse(fs.readFileSync(path.join(dataDir, 'registry/oci/index.json'), 'utf8')) as { manifests: Array<{ digest: string }> };
      expect(index.manifests.map((m) => m.digest)).toEqual([newer]);
      expect(await r.check({ deep: true })).toMatchObject({ ok: true });
    });
  });

  it('upgrades a catalog made by the first schema version and keeps its releases', async () => {
    const dataDir = freshDataDir();
    fs.mkdirSync(dataDir);
    // Import with an Airlock that knew only migration 1 (its importer wrote no SBOM rows).
    const v1 = openCatalogDb(path.join(dataDir, 'catalog.db'), { migrations: CATALOG_MIGRATIONS.slice(0, 1) });
    v1.prepare(`INSERT INTO operations (type, status, started_at, ended_at) VALUES ('import', 'succeeded', 's', 'e')`).run();
    v1.prepare(`INSERT INTO kits (name, first_imported_at) VALUES ('legacy', 't')`).run();
    for (const d of ['sha256:' + 'a'.repeat(64), 'sha256:' + 'b'.repeat(64), 'sha256:' + 'c'.repeat(64)]) v1.prepare('INSERT INTO blobs VALUES (?, 0, ?)').run(d, 't');
    v1.prepare(`
      INSERT INTO releases (kit_id, version, channel, created, publisher, trust_publisher, signer_kind, signer_id, signature_json,
        sums_digest, bundle_digest, manifest_digest, file_count, total_bytes, imported_at, import_operation_id)
      VALUES (1, '0.9.0', 'lts', '2025-01-01T00:00:00Z', 'Old', 'cli-keys', 'key', 'fp', ?, ?, ?, ?, 0, 0, '2025-01-02T00:00:00Z', 1)`)
      .run(JSON.stringify({ signer: { kind: 'key', keyHint: 'h', fingerprint: 'fp' }, publisher: 'cli-keys', bundleMediaType: 'm', content: 'message-signature', tlogEntries: [], timestamps: [] }), 'sha256:' + 'a'.repeat(64), 'sha256:' + 'b'.repeat(64), 'sha256:' + 'c'.repeat(64));
    v1.close();
    await withRegistry(dataDir, async (r) => {
      expect(r.list().map((x) => `${x.name}@${x.version} ${x.channel}`)).toEqual(['legacy@0.9.0 lts']);
      expect(r.show('legacy', '0.9.0').packages).toEqual([]);
      await r.import(kitV1, { signature: env.signature });
      expect(r.list().map((x) => `${x.name}@${x.version}`)).toEqual(['app@1.0.0', 'legacy@0.9.0']);
    });
  });
});

describe('kit list, show, diff (CLI)', () => {
  let dataDir: string;
  beforeAll(async () => {
    dataDir = freshDataDir();
    for (const kit of [kitV1, kitV2]) {
      const r = await runCli(['kit', 'import', kit, '--key', env.publicPath, '--data-dir', dataDir, '--json']);
      expect(r.exitCode, r.stdout + r.stderr).toBe(0);
      expect(JSON.parse(r.stdout)).toMatchObject({ ok: true, import: { status: 'imported' } });
    }
  });

  it('lists releases with channel, publisher, signer and import time', async () => {
    const json = await runCli(['kit', 'list', '--data-dir', dataDir, '--json']);
    const doc = JSON.parse(json.stdout) as { ok: boolean; releases: Array<Record<string, unknown>> };
    expect(doc.ok).toBe(true);
    expect(doc.releases.map((r) => [r.name, r.version, r.channel, r.publisher])).toEqual([
      ['app', '1.0.0', 'stable', 'Registry test publisher'],
      ['app', '1.1.0', 'stable', 'Registry test publisher'],
    ]);
    expect(doc.releases[0]).toMatchObject({ signer: { kind: 'key' }, importedAt: expect.stringMatching(/^\d{4}-/) });
    const text = await runCli(['kit', 'list', '--data-dir', dataDir]);
    expect(text.stdout).toMatch(/app@1\.0\.0\s+stable/);
    expect(text.stdout).toMatch(/app@1\.1\.0\s+stable/);
  });

  it('shows files, images, SBOM packages and the signer', async () => {
    const json = JSON.parse((await runCli(['kit', 'show', 'app@1.1.0', '--data-dir', dataDir, '--json'])).stdout) as { release: Record<string, unknown[]> };
    expect(json.release.files!.length).toBeGreaterThan(5);
    expect(json.release.images).toEqual([expect.objectContaining({ ref: 'registry.example/app/api:1.1.0' })]);
    expect(json.release.packages!.map((p) => (p as { name: string }).name)).toEqual(['libyaml', 'openssl', 'zlib']);
    const text = (await runCli(['kit', 'show', 'app@1.1.0', '--data-dir', dataDir])).stdout;
    expect(text).toContain('signer:      key ');
    expect(text).toContain('rwxr-xr-x');
    expect(text).toContain('registry.example/app/api:1.1.0');
    expect(text).toContain('openssl 3.0.13  Apache-2.0  pkg:deb/debian/openssl@3.0.13');
  });

  it('diffs two releases: files, images and SBOM packages', async () => {
    const out = await runCli(['kit', 'diff', 'app@1.0.0', 'app@1.1.0', '--data-dir', dataDir, '--json']);
    const { diff } = JSON.parse(out.stdout) as { diff: import('../../../electron/core/registry/registry-types.ts').ReleaseDiff };
    const notImage = (f: { path: string }): boolean => !f.path.startsWith('images/blobs/');
    expect(diff.files.added.filter(notImage).map((f) => f.path)).toEqual(['payload/share/new.txt']);
    expect(diff.files.removed.filter(notImage).map((f) => f.path)).toEqual(['payload/share/old.txt', 'sbom/app.cdx.json']);
    // The new image's manifest, config and layer are new blob files; the old image's are gone.
    expect(diff.files.added.filter((f) => !notImage(f))).toHaveLength(3);
    expect(diff.files.removed.filter((f) => !notImage(f))).toHaveLength(3);
    expect(diff.files.changed.map((f) => f.path)).toEqual(expect.arrayContaining(['kit.json', 'payload/bin/app', 'sbom/app.spdx.json', 'images/index.json']));
    expect(diff.files.changed.map((f) => f.path)).not.toContain('payload/share/data.bin');
    expect(diff.images.added.map((i) => i.ref)).toEqual(['registry.example/app/api:1.1.0']);
    expect(diff.images.removed.map((i) => i.ref)).toEqual(['registry.example/app/api:1.0.0']);
    expect(diff.packages.added.map((p) => p.name)).toEqual(['libyaml']);
    expect(diff.packages.removed.map((p) => p.name)).toEqual(['express', 'qs']);
    expect(diff.packages.changed).toEqual([expect.objectContaining({ name: 'openssl', from: expect.objectContaining({ versions: ['3.0.11'] }), to: expect.objectContaining({ versions: ['3.0.13'] }) })]);
    expect(diff.packages.unchanged).toBe(1);
    const text = (await runCli(['kit', 'diff', 'app@1.0.0', 'app@1.1.0', '--data-dir', dataDir])).stdout;
    expect(text).toContain('+ payload/share/new.txt');
    expect(text).toContain('- payload/share/old.txt');
    expect(text).toContain('~ openssl 3.0.11 → 3.0.13');
  });

  it('names the registry images of both releases in the OCI index', () => {
    const index = JSON.parse(fs.readFileSync(path.join(dataDir, 'registry/oci/index.json'), 'utf8'));
    expect(index.manifests.map((m: { annotations: Record<string, string> }) => m.annotations['org.opencontainers.image.ref.name']).sort())
      .toEqual(['registry.example/app/api:1.0.0', 'registry.example/app/api:1.1.0']);
  });

  it('reports an unknown release as RELEASE_NOT_FOUND and a malformed argument as a usage error', async () => {
    const missing = await runCli(['kit', 'show', 'app@9.9.9', '--data-dir', dataDir, '--json']);
    expect(missing.exitCode).toBe(1);
    expect(JSON.parse(missing.stdout)).toMatchObject({ ok: false, error: { code: 'RELEASE_NOT_FOUND', message: 'app@9.9.9 is not in the registry' } });
    const diff = await runCli(['kit', 'diff', 'app@1.0.0', 'nope@1.0.0', '--data-dir', dataDir]);
    expect(diff.exitCode).toBe(1);
    expect(diff.stderr).toContain('RELEASE_NOT_FOUND');
    const usage = await runCli(['kit', 'show', 'app', '--data-dir', dataDir]);
    expect(usage.exitCode).toBe(2);
  });
});
