// Builds samples/hello-1.0.0.kit.tar.gz from samples/hello-kit/ with the DEMO
// key in samples/keys/ (public sample material, never for real use).
//
//   node scripts/make-sample-kit.ts            build the kit (replaces the old one)
//   node scripts/make-sample-kit.ts --images   first regenerate the sample's OCI image layout
//
// The entry mtime is kit.json's `created` time, so the tar stream and
// SHA256SUMS are the same on every rebuild; only the signature (ECDSA is
// randomized) changes. The image layout is committed and regenerated only on
// request: its layer is gzip-compressed, and gzip bytes may differ between zlib
// builds, which would rename the blobs.
import { createHash } from 'node:crypto';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import zlib from 'node:zlib';
import { buildKit } from '../electron/core/kit/kit-builder.ts';
import { endOfArchive, fileHeader, paddingFor } from '../electron/core/kit/tar-writer.ts';
import { loadSigningKey } from '../electron/core/trust/sign-blob.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const samples = path.join(root, 'samples');
const input = path.join(samples, 'hello-kit');
const out = path.join(samples, 'hello-1.0.0.kit.tar.gz');
const keyFile = path.join(samples, 'keys', 'demo-publisher.key.pem');
export const SAMPLE_IMAGE_REF = 'registry.example/hello/hello:1.0.0';

const sha256 = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');

/** A one-layer linux image whose layer holds the same hello program as the payload. */
async function writeImageLayout(createdIso: string): Promise<void> {
  const images = path.join(input, 'images');
  await rm(images, { recursive: true, force: true });
  const blobs = path.join(images, 'blobs', 'sha256');
  await mkdir(blobs, { recursive: true });
  const mtime = Math.floor(Date.parse(createdIso) / 1000);
  const files: Array<{ path: string; mode: number; data: Buffer }> = [
    { path: 'usr/local/bin/hello', mode: 0o755, data: await readFile(path.join(input, 'payload/bin/hello')) },
    { path: 'usr/local/share/hello/README', mode: 0o644, data: await readFile(path.join(input, 'payload/share/README')) },
  ];
  const tar = Buffer.concat([
    ...files.flatMap((f) => [fileHeader({ path: f.path, size: f.data.length, mode: f.mode, mtime }), f.data, paddingFor(f.data.length)]),
    endOfArchive(),
  ]);
  const layer = zlib.gzipSync(tar, { level: 9 });
  layer[9] = 3; // gzip OS byte: Unix, whatever zlib was built for
  const put = async (bytes: Buffer): Promise<{ digest: string; size: number }> => {
    const hex = sha256(bytes);
    await writeFile(path.join(blobs, hex), bytes);
    return { digest: `sha256:${hex}`, size: bytes.length };
  };
  const json = (doc: unknown): Buffer => Buffer.from(JSON.stringify(doc, null, 2) + '\n', 'utf8');
  const layerDesc = await put(layer);
  const config = await put(json({
    created: createdIso,
    architecture: 'amd64',
    os: 'linux',
    config: { Cmd: ['/usr/local/bin/hello'], Env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'] },
    rootfs: { type: 'layers', diff_ids: [`sha256:${sha256(tar)}`] },
    history: [{ created: createdIso, created_by: 'scripts/make-sample-kit.ts' }],
  }));
  const manifest = await put(json({
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.manifest.v1+json',
    config: { mediaType: 'application/vnd.oci.image.config.v1+json', ...config },
    layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', ...layerDesc }],
  }));
  await writeFile(path.join(images, 'oci-layout'), json({ imageLayoutVersion: '1.0.0' }));
  await writeFile(path.join(images, 'index.json'), json({
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.index.v1+json',
    manifests: [{
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      ...manifest,
      platform: { architecture: 'amd64', os: 'linux' },
      annotations: { 'org.opencontainers.image.ref.name': SAMPLE_IMAGE_REF },
    }],
  }));
}

async function main(argv: string[]): Promise<void> {
  const manifest = JSON.parse(await readFile(path.join(input, 'kit.json'), 'utf8')) as { created: string };
  if (argv.includes('--images')) await writeImageLayout(manifest.created);
  const signingKey = loadSigningKey(await readFile(keyFile, 'utf8'), keyFile);
  const result = await buildKit({ dir: input, out, signingKey, compress: 'gzip', force: true });
  process.stdout.write(`${path.relative(root, result.kitPath)}: ${result.archiveSize} bytes, sha256 ${result.archiveSha256}\nSHA256SUMS sha256 ${result.sumsSha256}, ${result.fileCount} files, mtime ${result.sourceDateEpoch}\n`);
}

if (process.argv[1] !== undefined && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await main(process.argv.slice(2));
}
