// The committed sample kit: it verifies with the demo public key, it is what
// samples/hello-kit/ builds to (same SHA256SUMS and entries; only the
// signature differs), and its OCI layout is readable by skopeo.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import zlib from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseKitManifest } from '../../../electron/core/kit/kit-manifest-parser.ts';
import { buildKit } from '../../../electron/core/kit/kit-builder.ts';
import { verifyKit } from '../../../electron/core/kit/kit-verifier.ts';
import { loadSigningKey } from '../../../electron/core/trust/sign-blob.ts';
import { SignatureVerifier } from '../../../electron/core/trust/signature-verifier.ts';
import { resolveTrustPolicy } from '../../../electron/core/trust/trust-policy.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const samples = path.join(root, 'samples');
const kitFile = path.join(samples, 'hello-1.0.0.kit.tar.gz');
const demoPub = path.join(samples, 'keys/demo-publisher.pub.pem');
const demoKey = path.join(samples, 'keys/demo-publisher.key.pem');

async function verifyWithDemoKey(kitPath: string): ReturnType<typeof verifyKit> {
  const policy = await resolveTrustPolicy({ keyFiles: [demoPub] });
  return verifyKit(kitPath, { signature: new SignatureVerifier(policy) });
}

/** Entry name → bytes after the signature entry, from an uncompressed tar (pax records are not needed: sample paths are ASCII and short). */
function tarAfterSignature(tar: Buffer): Buffer {
  const size = parseInt(tar.subarray(124, 136).toString('latin1').replace(/\0.*$/, '').trim(), 8);
  return tar.subarray(512 + Math.ceil(size / 512) * 512);
}

let tmp: string;
beforeAll(async () => {
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'airlock-sample-'));
});
afterAll(async () => {
  await fs.rm(tmp, { recursive: true, force: true });
});

describe('samples/hello-1.0.0.kit.tar.gz', () => {
  it('verifies with the demo public key and lists the sample image', async () => {
    const { summary, files } = await verifyWithDemoKey(kitFile);
    expect(summary).toMatchObject({ name: 'hello', version: '1.0.0', singlePass: true });
    expect(summary.container.compression).toBe('gzip');
    expect(summary.images.map((i) => i.ref)).toEqual(['registry.example/hello/hello:1.0.0']);
    expect(files.find((f) => f.path === 'payload/bin/hello')?.executable).toBe(true);
    const oses = summary.manifest.requires?.platforms?.map((p) => p.os);
    expect(oses).toEqual(expect.arrayContaining(['rhel', 'rocky', 'ubuntu', 'debian']));
  });

  it('is what samples/hello-kit builds to with the demo key (run scripts/make-sample-kit.ts after editing the sample)', async () => {
    const rebuilt = await buildKit({
      dir: path.join(samples, 'hello-kit'),
      out: path.join(tmp, 'hello-1.0.0.kit.tar.gz'),
      signingKey: loadSigningKey(await fs.readFile(demoKey, 'utf8'), demoKey),
      compress: 'gzip',
    });
    const committed = zlib.gunzipSync(await fs.readFile(kitFile));
    const fresh = zlib.gunzipSync(await fs.readFile(rebuilt.kitPath));
    expect(tarAfterSignature(fresh).equals(tarAfterSignature(committed))).toBe(true);
    expect(rebuilt.sumsSha256).toBe((await verifyWithDemoKey(kitFile)).summary.sumsSha256);
  });

  it('has an input folder whose kit.json is valid and whose OCI layout skopeo reads', async () => {
    const manifest = parseKitManifest(await fs.readFile(path.join(samples, 'hello-kit/kit.json')));
    expect(manifest.migrations?.map((m) => m.id)).toEqual(['0001_create_greetings']);
    const inspect = JSON.parse(execFileSync('skopeo', ['inspect', `oci:${path.join(samples, 'hello-kit/images')}:registry.example/hello/hello:1.0.0`], { encoding: 'utf8' })) as { Os: string; Architecture: string; Layers: string[] };
    expect(inspect).toMatchObject({ Os: 'linux', Architecture: 'amd64' });
    expect(inspect.Layers).toHaveLength(1);
  });

  it('marks the demo key as public demo material', async () => {
    const readme = await fs.readFile(path.join(samples, 'README.md'), 'utf8');
    expect(readme).toMatch(/PUBLIC DEMO KEYS/);
    expect(readme).toMatch(/never/i);
  });
});
