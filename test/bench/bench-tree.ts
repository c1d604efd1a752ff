// Builds a synthetic kit input tree for the benchmark: thousands of small
// payload files plus large OCI layer blobs, from a seeded AES-CTR stream so
// every run measures the same bytes.
import { createCipheriv, createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

export interface BenchTreeShape {
  smallFiles: number;
  smallMaxBytes: number;
  layers: number;
  layerBytes: number;
}

function stream(seed: string): (n: number) => Buffer {
  const key = createHash('sha256').update(seed).digest().subarray(0, 16);
  const cipher = createCipheriv('aes-128-ctr', key, Buffer.alloc(16));
  return (n) => cipher.update(Buffer.alloc(n));
}

function writeBlob(blobsDir: string, data: Buffer): { digest: string; size: number } {
  const hex = createHash('sha256').update(data).digest('hex');
  fs.writeFileSync(path.join(blobsDir, hex), data);
  return { digest: `sha256:${hex}`, size: data.length };
}

/** Writes the tree and returns its total payload bytes. */
export function makeBenchTree(dir: string, shape: BenchTreeShape): number {
  const next = stream(`airlock-bench-${shape.smallFiles}-${shape.layers}-${shape.layerBytes}`);
  let total = 0;
  for (let i = 0; i < shape.smallFiles; i++) {
    const sub = path.join(dir, 'payload', 'lib', `d${String(i % 50).padStart(2, '0')}`);
    fs.mkdirSync(sub, { recursive: true });
    const size = 1 + (next(4).readUInt32LE(0) % shape.smallMaxBytes);
    fs.writeFileSync(path.join(sub, `f${String(i).padStart(6, '0')}.bin`), next(size));
    total += size;
  }
  const blobs = path.join(dir, 'images', 'blobs', 'sha256');
  fs.mkdirSync(blobs, { recursive: true });
  const layers = [];
  for (let i = 0; i < shape.layers; i++) {
    // Written in 64 MiB slices so generating a 2 GiB tree needs little memory.
    const tmp = path.join(blobs, 'layer.tmp');
    const fd = fs.openSync(tmp, 'w');
    const hash = createHash('sha256');
    let left = shape.layerBytes;
    while (left > 0) {
      const chunk = next(Math.min(left, 64 * 1024 * 1024));
      hash.update(chunk);
      fs.writeSync(fd, chunk);
      left -= chunk.length;
    }
    fs.closeSync(fd);
    const hex = hash.digest('hex');
    fs.renameSync(tmp, path.join(blobs, hex));
    layers.push({ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: `sha256:${hex}`, size: shape.layerBytes });
    total += shape.layerBytes;
  }
  const config = writeBlob(blobs, Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [] } })));
  const manifest = writeBlob(blobs, Buffer.from(JSON.stringify({
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.manifest.v1+json',
    config: { mediaType: 'application/vnd.oci.image.config.v1+json', ...config },
    layers,
  })));
  fs.writeFileSync(path.join(dir, 'images', 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
  fs.writeFileSync(path.join(dir, 'images', 'index.json'), JSON.stringify({
    schemaVersion: 2,
    manifests: [{ mediaType: 'application/vnd.oci.image.manifest.v1+json', ...manifest, annotations: { 'org.opencontainers.image.ref.name': 'registry.example/bench/app:1.0.0' } }],
  }));
  fs.writeFileSync(path.join(dir, 'kit.json'), JSON.stringify({
    schema: 'airlock.kit/v1', name: 'bench', version: '1.0.0', created: '2026-01-01T00:00:00Z', publisher: 'Airlock benchmark',
  }, null, 2) + '\n');
  return total;
}
