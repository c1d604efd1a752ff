// The kits of the install end-to-end test: four releases of one small app
// ("notes") with a SQLite database, migrations, health checks, an SBOM and a
// container image, built with the real builder and signed per run.
//   1.0.0  creates the database                          (fresh install)
//   1.1.0  adds a column and a table; files and SBOM move (upgrade)
//   1.2.0  a migration that fails on a missing table     (automatic rollback)
//   2.0.0  drops the column 1.1.0 added, marked destructive (explicit confirmation)
// The migrations and health checks are the install tests' own (test/helpers/install-fixtures.ts).
import fs from 'node:fs/promises';
import path from 'node:path';
import { buildKit } from '../../../electron/core/kit/kit-builder.ts';
import { loadSigningKey } from '../../../electron/core/trust/sign-blob.ts';
import { HEALTH_V1, HEALTH_V2, V1_MIGRATIONS, V2_MIGRATIONS, V3_MIGRATIONS } from '../../helpers/install-fixtures.ts';
import { writeKeyPair } from '../../helpers/sigstore-keys.ts';
import { SPDX_DOC, writeKitTree, type FileSpec } from '../../integration/registry/registry-kit-fixtures.ts';

export const APP = 'notes';

export interface InstallKits {
  kitsDir: string;
  publicKey: string;
  fingerprint: string;
  /** Kit file names by version. */
  kits: Record<'1.0.0' | '1.1.0' | '1.2.0' | '2.0.0', string>;
}

interface Version {
  version: string;
  payload: Record<string, FileSpec>;
  migrations: Array<{ id: string; sql: string; destructive?: boolean }>;
  health: unknown[];
  packages: Array<{ name: string; version: string; license: string }>;
}

const REQUIRES = { platforms: [{ os: 'rocky', versions: ['9'] }, { os: 'rhel', versions: ['9'] }], arch: ['x64', 'arm64'], memoryBytes: 256 * 1024 * 1024, cpus: 1 };

const VERSIONS: Version[] = [
  {
    version: '1.0.0',
    payload: { 'bin/notes': { data: '#!/bin/sh\necho notes 1.0.0\n', mode: 0o755 }, 'share/README': 'notes 1.0.0\n', 'share/only-in-v1.txt': 'gone in 1.1.0\n' },
    migrations: V1_MIGRATIONS,
    health: HEALTH_V1,
    packages: [{ name: 'sqlite', version: '3.45.0', license: 'blessing' }, { name: 'zlib', version: '1.3.1', license: 'Zlib' }],
  },
  {
    version: '1.1.0',
    payload: { 'bin/notes': { data: '#!/bin/sh\necho notes 1.1.0\n', mode: 0o755 }, 'share/README': 'notes 1.1.0\n', 'share/tags.txt': 'tags arrive in 1.1.0\n' },
    migrations: V2_MIGRATIONS,
    health: HEALTH_V2,
    packages: [{ name: 'sqlite', version: '3.46.1', license: 'blessing' }, { name: 'zlib', version: '1.3.1', license: 'Zlib' }, { name: 'libtags', version: '0.2.0', license: 'MIT' }],
  },
  {
    version: '1.2.0',
    payload: { 'bin/notes': { data: '#!/bin/sh\necho notes 1.2.0\n', mode: 0o755 }, 'share/README': 'notes 1.2.0\n', 'share/tags.txt': 'tags arrive in 1.1.0\n' },
    migrations: [...V2_MIGRATIONS, { id: '0003_archive', sql: 'INSERT INTO archived_notes (id, body) SELECT id, body FROM notes;\n' }],
    health: HEALTH_V2,
    packages: [{ name: 'sqlite', version: '3.46.1', license: 'blessing' }, { name: 'zlib', version: '1.3.1', license: 'Zlib' }, { name: 'libtags', version: '0.2.1', license: 'MIT' }],
  },
  {
    version: '2.0.0',
    payload: { 'bin/notes': { data: '#!/bin/sh\necho notes 2.0.0\n', mode: 0o755 }, 'share/README': 'notes 2.0.0\n' },
    migrations: V3_MIGRATIONS,
    health: HEALTH_V1,
    packages: [{ name: 'sqlite', version: '3.46.1', license: 'blessing' }, { name: 'zlib', version: '1.3.1', license: 'Zlib' }],
  },
];

export async function buildInstallKits(work: string): Promise<InstallKits> {
  const kitsDir = path.join(work, 'install-kits');
  const buildDir = path.join(work, 'install-build');
  await fs.mkdir(kitsDir, { recursive: true });
  await fs.mkdir(buildDir, { recursive: true });
  const { privatePath, publicPath } = await writeKeyPair(buildDir, 'notes-publisher');
  const key = loadSigningKey(await fs.readFile(privatePath, 'utf8'), privatePath);
  const kits = {} as InstallKits['kits'];
  for (const v of VERSIONS) {
    const tree = path.join(buildDir, `tree-${v.version}`);
    const files: Record<string, FileSpec> = {};
    for (const [rel, f] of Object.entries(v.payload)) files[`payload/${rel}`] = f;
    for (const m of v.migrations) files[`migrations/${m.id}.sql`] = m.sql;
    await writeKitTree(tree, {
      name: APP,
      version: v.version,
      files,
      image: { ref: `registry.example/notes/app:${v.version}`, layerSeed: `notes-${v.version}`, layerBytes: 4096 },
      sboms: [{ path: 'sbom/notes.spdx.json', format: 'spdx-json', doc: SPDX_DOC(v.packages.map((p) => ({ ...p, purl: `pkg:generic/${p.name}@${p.version}` }))) }],
    });
    const manifestPath = path.join(tree, 'kit.json');
    const manifest = JSON.parse(await fs.readFile(manifestPath, 'utf8')) as Record<string, unknown>;
    Object.assign(manifest, {
      publisher: 'Notes Inc',
      description: 'Notes: a small demonstration app with a SQLite database.',
      requires: REQUIRES,
      databases: [{ id: 'main', engine: 'sqlite', path: 'var/notes.db' }],
      migrations: v.migrations.map((m) => ({ id: m.id, database: 'main', path: `migrations/${m.id}.sql`, ...(m.destructive ? { destructive: true } : {}) })),
      health: v.health,
    });
    await fs.writeFile(manifestPath, JSON.stringify(manifest, null, 2) + '\n');
    const name = `${APP}-${v.version}.kit.tar`;
    await buildKit({ dir: tree, out: path.join(kitsDir, name), signingKey: key, compress: 'none', sourceDateEpoch: 1772359200 });
    await fs.rm(tree, { recursive: true, force: true });
    kits[v.version as keyof InstallKits['kits']] = name;
  }
  return { kitsDir, publicKey: publicPath, fingerprint: key.fingerprint, kits };
}
