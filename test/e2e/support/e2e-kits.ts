// The kits the end-to-end tests offer in their kit folder, built with the real
// builder and signed with keys generated per run.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import { buildKit } from '../../../electron/core/kit/kit-builder.ts';
import { loadSigningKey, type SigningKey } from '../../../electron/core/trust/sign-blob.ts';
import { writeKeyPair } from '../../helpers/sigstore-keys.ts';
import { SPDX_DOC, seededBytes, writeKitTree, type TestKitSpec } from '../../integration/registry/registry-kit-fixtures.ts';

export interface E2eKits {
  kitsDir: string;
  /** The trusted publisher's public key (what Settings adds) and its fingerprint. */
  trustedPublicKey: string;
  trustedFingerprint: string;
  good: string;
  goodNext: string;
  tampered: string;
  tamperedFile: string;
  untrusted: string;
  large: string;
}

async function signer(dir: string, name: string): Promise<{ key: SigningKey; publicPath: string }> {
  const { privatePath, publicPath } = await writeKeyPair(dir, name);
  return { key: loadSigningKey(await fs.readFile(privatePath, 'utf8'), privatePath), publicPath };
}

type E2eKitSpec = TestKitSpec & { requires?: unknown; publisher?: string; description?: string };

async function build(work: string, spec: E2eKitSpec, out: string, key: SigningKey, compress: 'none' | 'gzip' | 'zstd'): Promise<string> {
  const tree = path.join(work, `tree-${path.basename(out)}`);
  await writeKitTree(tree, spec);
  const manifestPath = path.join(tree, 'kit.json');
  const manifest = JSON.parse(await fs.readFile(manifestPath, 'utf8')) as Record<string, unknown>;
  manifest.publisher = spec.publisher ?? 'Example Corp';
  if (spec.requires) manifest.requires = spec.requires;
  if (spec.description) manifest.description = spec.description;
  await fs.writeFile(manifestPath, JSON.stringify(manifest, null, 2) + '\n');
  await buildKit({ dir: tree, out, signingKey: key, compress, sourceDateEpoch: 1767225600 });
  await fs.rm(tree, { recursive: true, force: true });
  return out;
}

const REQUIRES = { platforms: [{ os: 'rocky', versions: ['9'] }, { os: 'rhel', versions: ['9'] }], arch: ['x64', 'arm64'], memoryBytes: 512 * 1024 * 1024, cpus: 1 };

function helloSpec(version: string, openssl: string): E2eKitSpec {
  return {
    name: 'hello-app',
    description: 'Hello App: a small demonstration service with its container image and SBOM.',
    version,
    channel: 'stable',
    requires: REQUIRES,
    files: {
      'payload/bin/hello': { data: `#!/bin/sh\necho "hello ${version}"\n`, mode: 0o755 },
      'payload/share/README': `Hello App ${version}\n`,
      'payload/etc/hello.conf': version === '1.0.0' ? 'greeting=hello\n' : 'greeting=hello\ncolour=blue\n',
      'docs/RELEASE-NOTES.md': `# Hello App ${version}\n`,
    },
    image: { ref: `registry.example/hello/app:${version}`, layerSeed: `hello-${version}`, layerBytes: 64 * 1024 },
    sboms: [
      {
        path: 'sbom/hello.spdx.json',
        format: 'spdx-json',
        doc: SPDX_DOC([
          { name: 'openssl', version: openssl, license: 'Apache-2.0', purl: `pkg:generic/openssl@${openssl}` },
          { name: 'zlib', version: '1.3.1', license: 'Zlib', purl: 'pkg:generic/zlib@1.3.1' },
          { name: 'busybox', version: '1.36.1', license: 'GPL-2.0-only', purl: 'pkg:generic/busybox@1.36.1' },
          { name: 'musl', version: '1.2.5', license: 'MIT', purl: 'pkg:generic/musl@1.2.5' },
        ]),
      },
    ],
  };
}

/** Builds every kit of the e2e run under work/kits (and keys under work/keys). */
export async function buildE2eKits(work: string): Promise<E2eKits> {
  const keysDir = path.join(work, 'keys');
  const kitsDir = path.join(work, 'kits');
  const buildDir = path.join(work, 'build');
  await Promise.all([keysDir, kitsDir, buildDir].map((d) => fs.mkdir(d, { recursive: true })));
  const trusted = await signer(keysDir, 'example-corp');
  const stranger = await signer(keysDir, 'stranger');

  const good = await build(buildDir, helloSpec('1.0.0', '3.0.13'), path.join(kitsDir, 'hello-app-1.0.0.kit.tar.gz'), trusted.key, 'gzip');
  const goodNext = await build(buildDir, helloSpec('1.1.0', '3.0.15'), path.join(kitsDir, 'hello-app-1.1.0.kit.tar.zst'), trusted.key, 'zstd');

  // Unpacked kit whose payload was changed after signing.
  const tamperedArchive = await build(
    buildDir,
    { name: 'billing', version: '2.3.0', files: { 'payload/bin/billing': { data: '#!/bin/sh\necho billing\n', mode: 0o755 }, 'payload/etc/billing.conf': 'limit=100\n' } },
    path.join(buildDir, 'billing-2.3.0.kit.tar'),
    trusted.key,
    'none',
  );
  const tampered = path.join(kitsDir, 'billing-2.3.0');
  await fs.mkdir(tampered);
  execFileSync('tar', ['-xf', tamperedArchive, '-C', tampered]);
  await fs.writeFile(path.join(tampered, 'payload/etc/billing.conf'), 'limit=100000\n');

  const untrusted = await build(
    buildDir,
    { name: 'tools', version: '0.9.0', publisher: 'Unknown Tools Ltd', files: { 'payload/bin/tool': { data: '#!/bin/sh\necho tool\n', mode: 0o755 } } },
    path.join(kitsDir, 'tools-0.9.0.kit.tar'),
    stranger.key,
    'none',
  );

  // Large enough that the held worker (support/held-kit-worker.ts) stops it mid-stream.
  const large = await build(
    buildDir,
    { name: 'maps', version: '4.0.0', files: { 'payload/data/tiles-a.bin': seededBytes('tiles-a', 24 * 1024 * 1024), 'payload/data/tiles-b.bin': seededBytes('tiles-b', 24 * 1024 * 1024) } },
    path.join(kitsDir, 'maps-4.0.0.kit.tar'),
    trusted.key,
    'none',
  );

  return {
    kitsDir,
    trustedPublicKey: trusted.publicPath,
    trustedFingerprint: trusted.key.fingerprint,
    good,
    goodNext,
    tampered,
    tamperedFile: 'payload/etc/billing.conf',
    untrusted,
    large,
  };
}
