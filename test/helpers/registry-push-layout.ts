// A small OCI Image Layout for push tests: two configs, three layers, two
// image manifests, a multi-platform index over both, and three names in
// index.json (one image, the index, and a second repository naming the first
// image again, which a push fills by cross-repository mount).
import { createCipheriv, createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';

export interface FixtureBlob {
  digest: string;
  size: number;
  mediaType: string;
  bytes: Buffer;
}

export interface PushLayoutFixture {
  dir: string;
  configAmd64: FixtureBlob;
  configArm64: FixtureBlob;
  /** 2.5 MiB, so a push streams it in several reads. */
  layerShared: FixtureBlob;
  layerAmd64: FixtureBlob;
  layerArm64: FixtureBlob;
  manifestAmd64: FixtureBlob;
  manifestArm64: FixtureBlob;
  index: FixtureBlob;
  refs: { api: string; multi: string; worker: string };
  /** Entries of index.json, in order. */
  images: Array<{ ref: string; digest: string; mediaType: string }>;
}

const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';
const OCI_CONFIG = 'application/vnd.oci.image.config.v1+json';
const OCI_LAYER = 'application/vnd.oci.image.layer.v1.tar+gzip';

/** Deterministic filler: an AES-CTR keystream keyed by the seed. */
export function fillerBytes(seed: string, size: number): Buffer {
  const key = createHash('sha256').update(seed).digest().subarray(0, 16);
  return createCipheriv('aes-128-ctr', key, Buffer.alloc(16)).update(Buffer.alloc(size));
}

async function writeBlob(dir: string, mediaType: string, bytes: Buffer): Promise<FixtureBlob> {
  const hex = createHash('sha256').update(bytes).digest('hex');
  await fs.writeFile(path.join(dir, 'blobs', 'sha256', hex), bytes);
  return { digest: `sha256:${hex}`, size: bytes.length, mediaType, bytes };
}

const descriptor = (b: FixtureBlob, extra: Record<string, unknown> = {}): Record<string, unknown> => ({ mediaType: b.mediaType, digest: b.digest, size: b.size, ...extra });

export async function makePushLayout(dir: string, opts: { seed?: string } = {}): Promise<PushLayoutFixture> {
  const seed = opts.seed ?? 'airlock-push';
  await fs.mkdir(path.join(dir, 'blobs', 'sha256'), { recursive: true });
  const config = (arch: string): Buffer => Buffer.from(JSON.stringify({
    created: '2026-01-01T00:00:00Z',
    architecture: arch,
    os: 'linux',
    config: { Env: ['PATH=/usr/bin'], Labels: { seed } },
    rootfs: { type: 'layers', diff_ids: [] },
  }));
  const configAmd64 = await writeBlob(dir, OCI_CONFIG, config('amd64'));
  const configArm64 = await writeBlob(dir, OCI_CONFIG, config('arm64'));
  const layerShared = await writeBlob(dir, OCI_LAYER, fillerBytes(`${seed}-shared`, 2.5 * 1024 * 1024));
  const layerAmd64 = await writeBlob(dir, OCI_LAYER, fillerBytes(`${seed}-amd64`, 70_000));
  const layerArm64 = await writeBlob(dir, OCI_LAYER, fillerBytes(`${seed}-arm64`, 90_000));
  const manifest = (cfg: FixtureBlob, layers: FixtureBlob[]): Buffer => Buffer.from(JSON.stringify({
    schemaVersion: 2,
    mediaType: OCI_MANIFEST,
    config: descriptor(cfg),
    layers: layers.map((l) => descriptor(l)),
  }, null, 2));
  const manifestAmd64 = await writeBlob(dir, OCI_MANIFEST, manifest(configAmd64, [layerShared, layerAmd64]));
  const manifestArm64 = await writeBlob(dir, OCI_MANIFEST, manifest(configArm64, [layerShared, layerArm64]));
  const index = await writeBlob(dir, OCI_INDEX, Buffer.from(JSON.stringify({
    schemaVersion: 2,
    mediaType: OCI_INDEX,
    manifests: [
      descriptor(manifestAmd64, { platform: { architecture: 'amd64', os: 'linux' } }),
      descriptor(manifestArm64, { platform: { architecture: 'arm64', os: 'linux' } }),
    ],
  })));
  const refs = {
    api: 'registry.example/app/api:1.2.3',
    multi: 'registry.example/app/api:1.2.3-multi',
    worker: 'registry.example/app/worker:1.0.0',
  };
  const entries: Array<[string, FixtureBlob]> = [[refs.api, manifestAmd64], [refs.multi, index], [refs.worker, manifestAmd64]];
  await fs.writeFile(path.join(dir, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
  await fs.writeFile(path.join(dir, 'index.json'), JSON.stringify({
    schemaVersion: 2,
    mediaType: OCI_INDEX,
    manifests: entries.map(([ref, blob]) => descriptor(blob, { annotations: { 'org.opencontainers.image.ref.name': ref } })),
  }, null, 2));
  return {
    dir,
    configAmd64,
    configArm64,
    layerShared,
    layerAmd64,
    layerArm64,
    manifestAmd64,
    manifestArm64,
    index,
    refs,
    images: entries.map(([ref, blob]) => ({ ref, digest: blob.digest, mediaType: blob.mediaType })),
  };
}
