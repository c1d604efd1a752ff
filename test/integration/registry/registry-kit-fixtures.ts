// Small signed kits for the registry tests, built with the real builder and
// signed with a key generated per run.
import { createHash } from 'node:crypto';
import fsSync from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import Database from 'better-sqlite3';
import { main } from '../../../electron/cli/main.ts';
import { buildKit } from '../../../electron/core/kit/kit-builder.ts';
import type { KitCompression } from '../../../shared/kit-verification.ts';
import { loadSigningKey, type SigningKey } from '../../../electron/core/trust/sign-blob.ts';
import { SignatureVerifier } from '../../../electron/core/trust/signature-verifier.ts';
import { resolveTrustPolicy } from '../../../electron/core/trust/trust-policy.ts';
import { writeKeyPair } from '../../helpers/sigstore-keys.ts';

export type FileSpec = string | Buffer | { data: string | Buffer; mode: 0o644 | 0o755 };

export interface TestKitSpec {
  name?: string;
  version?: string;
  channel?: string;
  /** Extra files by kit path (payload, docs, anything). */
  files?: Record<string, FileSpec>;
  /** One OCI image under images/ with this reference; its layer bytes are derived from `layerSeed`. */
  image?: { ref: string; layerSeed?: string; layerBytes?: number };
  sboms?: Array<{ path: string; format: 'spdx-json' | 'cyclonedx-json'; doc: unknown; subject?: string }>;
  attestations?: Array<{ path: string; predicateType: string; data: string }>;
  migrations?: Array<{ id: string; sql: string }>;
}

export interface KitEnv {
  dir: string;
  key: SigningKey;
  privatePath: string;
  publicPath: string;
  signature: SignatureVerifier;
}

export async function makeKitEnv(dir: string): Promise<KitEnv> {
  const { privatePath, publicPath } = await writeKeyPair(dir, 'publisher');
  const key = loadSigningKey(await fs.readFile(privatePath, 'utf8'), privatePath);
  const signature = new SignatureVerifier(await resolveTrustPolicy({ keyFiles: [publicPath] }));
  return { dir, key, privatePath, publicPath, signature };
}

/** Deterministic bytes (a SHA-256 chain of the seed): incompressible and reproducible. */
export function seededBytes(seed: string, size: number): Buffer {
  const out = Buffer.alloc(size);
  let block = createHash('sha256').update(seed).digest();
  for (let off = 0; off < size; off += block.length) {
    block.copy(out, off, 0, Math.min(block.length, size - off));
    block = createHash('sha256').update(block).digest();
  }
  return out;
}

const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

async function put(root: string, rel: string, data: string | Buffer, mode = 0o644): Promise<void> {
  const file = path.join(root, rel);
  await fs.mkdir(path.dirname(file), { recursive: true });
  await fs.writeFile(file, data);
  await fs.chmod(file, mode);
}

export async function writeKitTree(root: string, spec: TestKitSpec): Promise<void> {
  const manifest: Record<string, unknown> = {
    schema: 'airlock.kit/v1',
    name: spec.name ?? 'demo',
    version: spec.version ?? '1.0.0',
    created: '2026-02-01T10:00:00Z',
    channel: spec.channel ?? 'stable',
    publisher: 'Registry test publisher',
  };
  for (const [rel, f] of Object.entries(spec.files ?? {})) {
    if (typeof f === 'string' || Buffer.isBuffer(f)) await put(root, rel, f);
    else await put(root, rel, f.data, f.mode);
  }
  if (spec.image) {
    const blobs = path.join(root, 'images', 'blobs', 'sha256');
    await fs.mkdir(blobs, { recursive: true });
    const blob = async (bytes: Buffer): Promise<{ digest: string; size: number }> => {
      await fs.writeFile(path.join(blobs, sha(bytes)), bytes);
      return { digest: `sha256:${sha(bytes)}`, size: bytes.length };
    };
    const layer = await blob(seededBytes(spec.image.layerSeed ?? spec.image.ref, spec.image.layerBytes ?? 4096));
    const config = await blob(Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', created: '2026-02-01T10:00:00Z', rootfs: { type: 'layers', diff_ids: [layer.digest] } })));
    const man = await blob(Buffer.from(JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: { mediaType: 'application/vnd.oci.image.config.v1+json', ...config },
      layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar', ...layer }],
    })));
    await put(root, 'images/oci-layout', JSON.stringify({ imageLayoutVersion: '1.0.0' }));
    await put(root, 'images/index.json', JSON.stringify({
      schemaVersion: 2,
      manifests: [{
        mediaType: 'application/vnd.oci.image.manifest.v1+json', ...man,
        platform: { architecture: 'amd64', os: 'linux' },
        annotations: { 'org.opencontainers.image.ref.name': spec.image.ref },
      }],
    }));
  }
  if (spec.sboms) {
    manifest.sboms = spec.sboms.map((s) => ({ path: s.path, format: s.format, ...(s.subject ? { subject: s.subject } : {}) }));
    for (const s of spec.sboms) await put(root, s.path, typeof s.doc === 'string' ? s.doc : JSON.stringify(s.doc, null, 2));
  }
  if (spec.attestations) {
    manifest.attestations = spec.attestations.map((a) => ({ path: a.path, predicateType: a.predicateType }));
    for (const a of spec.attestations) await put(root, a.path, a.data);
  }
  if (spec.migrations) {
    manifest.databases = [{ id: 'main', engine: 'sqlite', path: 'var/main.db' }];
    manifest.migrations = spec.migrations.map((m) => ({ id: m.id, database: 'main', path: `migrations/${m.id}.sql` }));
    for (const m of spec.migrations) await put(root, `migrations/${m.id}.sql`, m.sql);
  }
  await put(root, 'kit.json', JSON.stringify(manifest, null, 2) + '\n');
}

let counter = 0;

/** Writes the tree and builds a signed kit; returns the kit's path. */
export async function buildTestKit(env: KitEnv, spec: TestKitSpec, opts: { compress?: KitCompression; out?: string } = {}): Promise<string> {
  const n = ++counter;
  const tree = path.join(env.dir, `tree-${n}`);
  await writeKitTree(tree, spec);
  const ext = opts.compress === 'zstd' ? '.zst' : opts.compress === 'gzip' ? '.gz' : '';
  const out = opts.out ?? path.join(env.dir, `${spec.name ?? 'demo'}-${spec.version ?? '1.0.0'}-${n}.kit.tar${ext}`);
  await buildKit({ dir: tree, out, signingKey: env.key, compress: opts.compress ?? 'none', sourceDateEpoch: 1767225600 });
  await fs.rm(tree, { recursive: true, force: true });
  return out;
}

export const SPDX_DOC = (packages: Array<{ name: string; version: string; license?: string; purl?: string }>): unknown => ({
  spdxVersion: 'SPDX-2.3',
  dataLicense: 'CC0-1.0',
  SPDXID: 'SPDXRef-DOCUMENT',
  name: 'test',
  documentNamespace: 'https://registry.example/spdx/test',
  creationInfo: { created: '2026-02-01T10:00:00Z', creators: ['Tool: test'] },
  packages: packages.map((p, i) => ({
    name: p.name,
    SPDXID: `SPDXRef-Package-${i}`,
    versionInfo: p.version,
    downloadLocation: 'NOASSERTION',
    licenseConcluded: p.license ?? 'NOASSERTION',
    ...(p.purl ? { externalRefs: [{ referenceCategory: 'PACKAGE-MANAGER', referenceType: 'purl', referenceLocator: p.purl }] } : {}),
  })),
});

export interface CliResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

/** Runs the CLI in this process with captured output. */
export async function runCli(argv: string[]): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  const exitCode = await main(argv, {
    stdout: { write: (s: string) => { stdout += s; } },
    stderr: { write: (s: string) => { stderr += s; } },
    stderrIsTTY: false,
    env: {},
    cwd: process.cwd(),
  });
  return { exitCode, stdout, stderr };
}

/** Everything an import can change, to compare before and after. */
export function snapshotRegistry(dataDir: string): { tables: Record<string, unknown[]>; blobs: string[]; index: string; ingest: string[] } {
  const db = new Database(path.join(dataDir, 'catalog.db'), { readonly: true });
  const tables: Record<string, unknown[]> = {};
  try {
    const names = db.prepare(`SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name`).all() as Array<{ name: string }>;
    for (const { name } of names) tables[name] = db.prepare(`SELECT * FROM "${name}"`).all();
  } finally {
    db.close();
  }
  const blobsDir = path.join(dataDir, 'registry', 'oci', 'blobs', 'sha256');
  const blobs = fsSync.readdirSync(blobsDir).sort().map((n) => `${n}:${fsSync.statSync(path.join(blobsDir, n)).mtimeMs}`);
  const index = fsSync.readFileSync(path.join(dataDir, 'registry', 'oci', 'index.json'), 'utf8');
  const ingest = fsSync.readdirSync(path.join(dataDir, 'registry', 'ingest'));
  return { tables, blobs, index, ingest };
}

