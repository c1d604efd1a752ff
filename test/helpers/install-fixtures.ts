// Small signed kits of one app ("notes") for the install tests: v1 creates
// the database, v2 adds to it (an additive multi-statement migration), v3 is
// a major release whose migration drops a column (marked destructive). Each
// test can bend a version (failing SQL, failing health check, edited
// migration, upgradeFrom) through the spec. Kits are built with the real
// builder, signed with a per-run key and imported into a real registry.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { buildKit } from '../../electron/core/kit/kit-builder.ts';
import { Registry } from '../../electron/core/registry/registry.ts';
import { loadSigningKey, type SigningKey } from '../../electron/core/trust/sign-blob.ts';
import { SignatureVerifier } from '../../electron/core/trust/signature-verifier.ts';
import { resolveTrustPolicy } from '../../electron/core/trust/trust-policy.ts';
import { InstallService, type InstallServiceDeps } from '../../electron/core/install/install-service.ts';
import type { InstallCrashHook } from '../../electron/core/install/install-crash-points.ts';
import type { PreflightReport, PreflightVerdict } from '../../shared/preflight.ts';
import { writeKeyPair } from './sigstore-keys.ts';

export const APP = 'notes';
export const DB_PATH = 'var/notes.db';

export type PayloadSpec = string | { data: string; mode: 0o644 | 0o755 };

export interface AppVersionSpec {
  version: string;
  /** Files under payload/, by release path. */
  payload?: Record<string, PayloadSpec>;
  migrations?: Array<{ id: string; sql: string; destructive?: boolean }>;
  health?: unknown[];
  upgradeFrom?: string;
  /** Extra kit.json fields. */
  manifest?: Record<string, unknown>;
}

export const V1_MIGRATIONS = [
  {
    id: '0001_init',
    sql: `-- notes: the first schema
CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT NOT NULL);
CREATE UNIQUE INDEX notes_body ON notes(body);
INSERT INTO notes (body) VALUES ('first note; with a semicolon'), ('second');
`,
  },
];

/** Additive: a new column and a table, filled by many statements (the crash test stops between two). */
export const V2_MIGRATIONS = [
  ...V1_MIGRATIONS,
  {
    id: '0002_tags',
    sql: [
      'ALTER TABLE notes ADD COLUMN tag TEXT;',
      'CREATE TABLE tags (name TEXT PRIMARY KEY);',
      ...Array.from({ length: 20 }, (_, i) => `INSERT INTO tags (name) VALUES ('tag-${i}');`),
      "UPDATE notes SET tag = 'tag-0' WHERE tag IS NULL; /* a WHERE keeps this additive */",
    ].join('\n'),
  },
];

/** Major release: drops the column v2 added (destructive, marked so). */
export const V3_MIGRATIONS = [
  ...V2_MIGRATIONS,
  { id: '0003_drop_tag', sql: 'ALTER TABLE notes DROP COLUMN tag;\n', destructive: true },
];

export const HEALTH_V1 = [
  { type: 'file', path: 'bin/notes' },
  { type: 'sql', database: 'main', query: "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'notes'", expect: { equals: 1 } },
];
export const HEALTH_V2 = [...HEALTH_V1, { type: 'sql', database: 'main', query: 'SELECT name FROM tags', expect: { rows: 20 } }];

export function v1(): AppVersionSpec {
  return {
    version: '1.0.0',
    payload: {
      'bin/notes': { data: '#!/bin/sh\necho notes 1.0.0\n', mode: 0o755 },
      'share/README': 'notes 1.0.0\n',
      'share/only-in-v1.txt': 'gone in 1.1.0\n',
    },
    migrations: V1_MIGRATIONS,
    health: HEALTH_V1,
  };
}

export function v2(): AppVersionSpec {
  return {
    version: '1.1.0',
    payload: {
      'bin/notes': { data: '#!/bin/sh\necho notes 1.1.0\n', mode: 0o755 },
      'share/README': 'notes 1.1.0\n',
      'share/tags.txt': 'tags arrive in 1.1.0\n',
    },
    migrations: V2_MIGRATIONS,
    health: HEALTH_V2,
  };
}

export function v3(): AppVersionSpec {
  return {
    version: '2.0.0',
    payload: {
      'bin/notes': { data: '#!/bin/sh\necho notes 2.0.0\n', mode: 0o755 },
      'share/README': 'notes 2.0.0\n',
    },
    migrations: V3_MIGRATIONS,
    health: HEALTH_V1,
  };
}

async function writeTree(dir: string, spec: AppVersionSpec): Promise<void> {
  const put = (rel: string, data: string, mode = 0o644): void => {
    const file = path.join(dir, ...rel.split('/'));
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, data);
    fs.chmodSync(file, mode);
  };
  const manifest: Record<string, unknown> = {
    schema: 'airlock.kit/v1',
    name: APP,
    version: spec.version,
    created: '2026-03-01T10:00:00Z',
    publisher: 'Install test publisher',
    databases: [{ id: 'main', engine: 'sqlite', path: DB_PATH }],
    ...(spec.migrations ? { migrations: spec.migrations.map((m) => ({ id: m.id, database: 'main', path: `migrations/${m.id}.sql`, ...(m.destructive ? { destructive: true } : {}) })) } : {}),
    ...(spec.health ? { health: spec.health } : {}),
    ...(spec.upgradeFrom ? { requires: { upgradeFrom: spec.upgradeFrom } } : {}),
    ...(spec.manifest ?? {}),
  };
  for (const [rel, f] of Object.entries(spec.payload ?? { 'bin/notes': { data: '#!/bin/sh\n', mode: 0o755 } })) {
    if (typeof f === 'string') put(`payload/${rel}`, f);
    else put(`payload/${rel}`, f.data, f.mode);
  }
  for (const m of spec.migrations ?? []) put(`migrations/${m.id}.sql`, m.sql);
  put('kit.json', JSON.stringify(manifest, null, 2) + '\n');
}

export interface PublisherKey {
  key: SigningKey;
  publicPath: string;
  privatePath: string;
}

export async function makePublisher(dir: string, name = 'publisher'): Promise<PublisherKey> {
  const { privatePath, publicPath } = await writeKeyPair(dir, name);
  return { key: loadSigningKey(fs.readFileSync(privatePath, 'utf8'), privatePath), publicPath, privatePath };
}

let built = 0;

/** Builds a signed kit of the app at this version; returns its path. */
export async function buildAppKit(dir: string, publisher: PublisherKey, spec: AppVersionSpec): Promise<string> {
  const n = ++built;
  const tree = path.join(dir, `tree-${spec.version}-${n}`);
  await writeTree(tree, spec);
  const out = path.join(dir, `${APP}-${spec.version}-${n}.kit.tar`);
  await buildKit({ dir: tree, out, signingKey: publisher.key, compress: 'none', sourceDateEpoch: 1772359200 });
  fs.rmSync(tree, { recursive: true, force: true });
  return out;
}

/** A preflight report with one check of the given verdict (the host itself is not probed in these tests). */
export function fakePreflightReport(verdict: PreflightVerdict, kit: { name: string; version: string; created: string }, time = '2026-11-20T10:00:00.000Z'): PreflightReport {
  const path0 = { path: '/tmp', exists: true, probedPath: '/tmp', freeBytes: 1e12, totalBytes: 2e12, device: 1, writable: 'yes' as const };
  return {
    schema: 'airlock.preflight/v1',
    generatedAt: time,
    scope: 'kit',
    host: {
      platform: 'linux',
      os: { kind: 'linux', id: 'debian', idLike: [], version: '12', prettyName: 'Debian 12', source: '/etc/os-release' },
      arch: 'x64',
      machine: 'x86_64',
      cpus: 2,
      memoryBytes: 8e9,
      time,
      fips: { state: 'off', source: 'test' },
      selinux: { state: 'not-present' },
      cryptoPolicy: { state: 'not-present' },
      defaultRoute: { state: verdict === 'warn' ? 'present' : 'absent' },
      longPaths: { state: 'not-applicable' },
      installRoot: path0,
      dataDir: path0,
    },
    kit: { ...kit, manifestVerified: true },
    checks: [{
      id: verdict === 'fail' ? 'os' : 'network-isolation',
      title: verdict === 'fail' ? 'Operating system' : 'Network isolation',
      status: verdict,
      observed: verdict === 'fail' ? 'Plan 9' : verdict === 'warn' ? 'default route via 192.0.2.1' : 'no default route',
      expected: verdict === 'fail' ? 'Debian 12' : 'no default route',
      remedy: verdict === 'pass' ? '' : 'do something about it',
    }],
    verdict,
  };
}

export interface InstallEnv {
  dir: string;
  dataDir: string;
  root: string;
  publisher: PublisherKey;
  registry: Registry;
  /** What the fake preflight answers; tests may change it. */
  preflightVerdict: PreflightVerdict;
  service: InstallService;
  /** Builds and imports a version; returns the kit path. */
  importVersion(spec: AppVersionSpec, publisher?: PublisherKey): Promise<string>;
  /** A service on env.registry (as it is when called) with other deps (crash hooks, clocks). */
  serviceWith(deps: Partial<InstallServiceDeps> & { crash?: InstallCrashHook }): InstallService;
  dbFile(): string;
  close(): void;
}

export async function makeInstallEnv(prefix = 'airlock-install-'): Promise<InstallEnv> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  const dataDir = path.join(dir, 'data-dir');
  const root = path.join(dir, 'root');
  const publisher = await makePublisher(dir);
  const registry = await Registry.open(dataDir);
  let tick = 0;
  const clock = (): Date => new Date(Date.UTC(2026, 10, 20, 10, 0, 0) + tick++ * 1000);
  const env: InstallEnv = {
    dir,
    dataDir,
    root,
    publisher,
    registry,
    preflightVerdict: 'pass',
    service: undefined as unknown as InstallService,
    async importVersion(spec, pub = publisher) {
      const kit = await buildAppKit(dir, pub, spec);
      const signature = new SignatureVerifier(await resolveTrustPolicy({ keyFiles: [pub.publicPath] }));
      await env.registry.import(kit, { signature, command: 'install-fixtures' });
      return kit;
    },
    serviceWith(deps) {
      return new InstallService({
        registry: env.registry,
        preflight: async ({ manifest }) => fakePreflightReport(env.preflightVerdict, { name: manifest.name, version: manifest.version, created: manifest.created }),
        clock,
        identity: { actor: 'tester', host: 'test-host' },
        ...deps,
      });
    },
    dbFile: () => path.join(root, 'data', ...DB_PATH.split('/')),
    close() {
      env.registry.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
  env.service = env.serviceWith({});
  return env;
}

export const yes = { proceed: true, acknowledgeWarnings: true, allowDestructive: false, how: 'test' } as const;
export const yesDestructive = { ...yes, allowDestructive: true } as const;

export function sha256OfFile(file: string): string {
  return createHash('sha256').update(fs.readFileSync(file)).digest('hex');
}

/** Rows of a query on a database file (opened read-only). */
export function query<T = Record<string, unknown>>(file: string, sql: string): T[] {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    return db.prepare(sql).all() as T[];
  } finally {
    db.close();
  }
}
