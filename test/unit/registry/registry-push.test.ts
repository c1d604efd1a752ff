import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AirlockError } from '../../../shared/airlock-error.ts';
import type { ProgressEvent } from '../../../shared/progress.ts';
import { pushImages, pushLayout, readLayoutImages, type PushImagesOptions } from '../../../electron/core/registry/registry-push.ts';
import { createFakeRegistry, type FakeRegistry } from '../../helpers/registry-push-fake-registry.ts';
import { makePushLayout, type PushLayoutFixture } from '../../helpers/registry-push-layout.ts';

const NO_WAIT = { sleep: async () => {}, random: () => 0 };

let tmp: string;
let layout: PushLayoutFixture;
let reg: FakeRegistry;

beforeEach(async () => {
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'airlock-push-unit-'));
  layout = await makePushLayout(path.join(tmp, 'layout'));
  reg = createFakeRegistry();
});

afterEach(async () => {
  await fs.rm(tmp, { recursive: true, force: true });
});

function opts(extra: Partial<PushImagesOptions> = {}): PushImagesOptions {
  return { layoutDir: layout.dir, images: layout.images, to: '127.0.0.1:5000', insecureHttp: true, fetch: reg.fetch, retry: NO_WAIT, ...extra };
}

async function failure(p: Promise<unknown>): Promise<AirlockError> {
  const error = await p.then(() => null, (e: unknown) => e);
  expect(error).toBeInstanceOf(AirlockError);
  return error as AirlockError;
}

async function codeOf(p: Promise<unknown>): Promise<string> {
  const error = await p.then(() => null, (e: unknown) => e);
  return error instanceof AirlockError ? error.code : `not an AirlockError: ${String(error)}`;
}

const blobFile = (digest: string): string => path.join(layout.dir, 'blobs', 'sha256', digest.slice(7));

describe('pushImages', () => {
  it('sends children before parents: blobs, then child manifests by digest, then the tag', async () => {
    await pushImages(opts({ images: [layout.images[1]!] }));
    const writes = reg.requests.filter((r) => r.method === 'PUT').map((r) => r.path.replace(/uploads\/u\d+$/, 'uploads/…'));
    expect(writes).toEqual([
      ...Array(5).fill('/v2/app/api/blobs/uploads/…'),
      `/v2/app/api/manifests/${layout.manifestAmd64.digest}`,
      `/v2/app/api/manifests/${layout.manifestArm64.digest}`,
      '/v2/app/api/manifests/1.2.3-multi',
    ]);
    expect(reg.manifests.get('app/api')!.get('1.2.3-multi')).toEqual(layout.index.bytes);
    expect(reg.content.get(layout.layerShared.digest)).toEqual(layout.layerShared.bytes);
  });

  it('reports progress in phase "push" with the total of the blobs it has to send', async () => {
    const events: ProgressEvent[] = [];
    const result = await pushImages(opts({ onProgress: (e) => events.push(e) }));
    const sent = [layout.configAmd64, layout.layerShared, layout.layerAmd64, layout.configArm64, layout.layerArm64].reduce((n, b) => n + b.size, 0);
    expect(result.bytes).toEqual({ sent, skipped: 0, mounted: layout.configAmd64.size + layout.layerShared.size + layout.layerAmd64.size });
    expect(events.length).toBeGreaterThanOrEqual(2);
    expect(events.every((e) => e.phase === 'push' && e.bytesTotal === sent && e.itemsTotal === 8)).toBe(true);
    const last = events.at(-1)!;
    expect(last.bytesDone).toBe(sent);
    expect(last.itemsDone).toBe(8);
    expect(events.every((e, i) => i === 0 || e.bytesDone >= events[i - 1]!.bytesDone)).toBe(true);
  });

  it('skips blobs the registry already has and mounts across repositories', async () => {
    await pushImages(opts({ images: [layout.images[0]!] }));
    reg.requests.length = 0;
    const result = await pushImages(opts());
    expect(result.images.map((i) => [i.ref, i.blobs])).toEqual([
      [layout.refs.api, { sent: 0, skipped: 3, mounted: 0 }],
      [layout.refs.multi, { sent: 2, skipped: 0, mounted: 0 }],
      [layout.refs.worker, { sent: 0, skipped: 0, mounted: 3 }],
    ]);
    const mounts = reg.requests.filter((r) => r.query.has('mount'));
    expect(mounts.map((r) => [r.path, r.query.get('from')])).toEqual(Array(3).fill(['/v2/app/worker/blobs/uploads/', 'app/api']));
  });

  it('uploads a blob whose mount the registry declines, and grows the byte total', async () => {
    reg.declineMounts = true;
    const events: ProgressEvent[] = [];
    const result = await pushImages(opts({ onProgress: (e) => events.push(e) }));
    expect(result.blobs).toEqual({ sent: 8, skipped: 0, mounted: 0 });
    expect(events.at(-1)!.bytesTotal).toBe(result.bytes.sent);
    expect(events.at(-1)!.bytesDone).toBe(result.bytes.sent);
    expect(reg.blobs.get('app/worker')!.size).toBe(3);
  });

  it('retries a failed upload without counting its bytes twice', async () => {
    let failed = false;
    reg.intercept = (req) => {
      if (!failed && req.method === 'PUT' && req.path.includes('/blobs/uploads/')) {
        failed = true;
        return new Response('{"errors":[{"code":"UNAVAILABLE","message":"busy"}]}', { status: 503 });
      }
      return undefined;
    };
    const events: ProgressEvent[] = [];
    const result = await pushImages(opts({ images: [layout.images[0]!], onProgress: (e) => events.push(e), concurrency: 1 }));
    expect(failed).toBe(true);
    expect(result.blobs.sent).toBe(3);
    expect(events.at(-1)!.bytesDone).toBe(events.at(-1)!.bytesTotal);
  });

  it('checks the whole layout before the first request', async () => {
    await fs.rm(blobFile(layout.layerArm64.digest));
    expect(await codeOf(pushImages(opts()))).toBe('OCI_BLOB_MISSING');
    expect(reg.requests).toEqual([]);
  });

  it('refuses a blob whose size differs from its descriptor, and a manifest that does not match its digest', async () => {
    await fs.appendFile(blobFile(layout.layerAmd64.digest), 'x');
    expect(await codeOf(pushImages(opts()))).toBe('OCI_BLOB_DIGEST');
    await fs.writeFile(blobFile(layout.manifestArm64.digest), layout.manifestArm64.bytes.toString('utf8').replace('"schemaVersion": 2', '"schemaVersion":2'));
    expect(await codeOf(pushImages(opts({ images: [layout.images[1]!] })))).toBe('OCI_BLOB_DIGEST');
    expect(reg.requests).toEqual([]);
  });

  it('leaves a foreign layer (with urls, not in the layout) where it is', async () => {
    const foreign = { mediaType: 'application/vnd.docker.image.rootfs.foreign.diff.tar.gzip', digest: `sha256:${'f'.repeat(64)}`, size: 123, urls: ['https://example.invalid/layer'] };
    const manifest = Buffer.from(JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: { mediaType: layout.configAmd64.mediaType, digest: layout.configAmd64.digest, size: layout.configAmd64.size },
      layers: [foreign, { mediaType: layout.layerAmd64.mediaType, digest: layout.layerAmd64.digest, size: layout.layerAmd64.size }],
    }));
    const { createHash } = await import('node:crypto');
    const digest = `sha256:${createHash('sha256').update(manifest).digest('hex')}`;
    await fs.writeFile(blobFile(digest), manifest);
    reg.intercept = (req) => (req.method === 'PUT' && req.path.includes('/manifests/') ? new Response(null, { status: 201, headers: { 'docker-content-digest': digest } }) : undefined);
    const result = await pushImages(opts({ images: [{ ref: 'registry.example/win/app:1', digest, mediaType: 'application/vnd.oci.image.manifest.v1+json' }] }));
    expect(result.images[0]!.blobs.sent).toBe(2);
    expect(reg.requests.some((r) => r.path.includes('f'.repeat(64)))).toBe(false);
  });

  it('refuses two different images that land on the same target reference', async () => {
    const clash = [layout.images[0]!, { ...layout.images[1]!, ref: 'other.example/app/api:1.2.3' }];
    const error = await failure(pushImages(opts({ images: clash })));
    expect(error.code).toBe('PUSH_FAILED');
    expect(error.message).toContain('both become 127.0.0.1:5000/app/api:1.2.3');
    expect(reg.requests).toEqual([]);
  });

  it('pushes a digest-only reference by digest, without a tag', async () => {
    const ref = `registry.example/app/pinned@${layout.manifestAmd64.digest}`;
    const result = await pushImages(opts({ images: [{ ref, digest: layout.manifestAmd64.digest, mediaType: layout.manifestAmd64.mediaType }] }));
    expect(result.images[0]!.target).toBe(`127.0.0.1:5000/app/pinned@${layout.manifestAmd64.digest}`);
    expect([...reg.manifests.get('app/pinned')!.keys()]).toEqual([layout.manifestAmd64.digest]);
  });

  it('stops with CANCELLED when the signal is aborted', async () => {
    const controller = new AbortController();
    reg.intercept = (req) => {
      if (req.method === 'HEAD') controller.abort();
      return undefined;
    };
    expect(await codeOf(pushImages(opts({ signal: controller.signal })))).toBe('CANCELLED');
    expect(reg.manifests.size).toBe(0);
  });

  it('stops at the first failed upload and PUTs no manifest', async () => {
    reg.intercept = (req) => (req.method === 'PUT' && req.path.includes('/blobs/uploads/') ? new Response('{"errors":[{"code":"DENIED","message":"quota exceeded"}]}', { status: 400 }) : undefined);
    const error = await failure(pushImages(opts()));
    expect(error.code).toBe('PUSH_FAILED');
    expect(error.message).toContain('DENIED: quota exceeded');
    expect(reg.requests.filter((r) => r.path.includes('/manifests/'))).toEqual([]);
  });
});

describe('readLayoutImages', () => {
  it('lists the named images in index.json order', async () => {
    expect(await readLayoutImages(layout.dir)).toEqual(layout.images);
    const result = await pushLayout({ layoutDir: layout.dir, to: '127.0.0.1:5000', insecureHttp: true, fetch: reg.fetch, retry: NO_WAIT });
    expect(result.images).toHaveLength(3);
  });

  it('refuses a folder that is not an OCI layout, or has no named image', async () => {
    expect(await codeOf(readLayoutImages(path.join(tmp, 'nowhere')))).toBe('OCI_LAYOUT_INVALID');
    const index = JSON.parse(await fs.readFile(path.join(layout.dir, 'index.json'), 'utf8')) as { manifests: Array<{ annotations?: unknown }> };
    for (const m of index.manifests) delete m.annotations;
    await fs.writeFile(path.join(layout.dir, 'index.json'), JSON.stringify(index));
    const error = await failure(readLayoutImages(layout.dir));
    expect(error.code).toBe('OCI_LAYOUT_INVALID');
    expect(error.message).toContain('org.opencontainers.image.ref.name');
    expect(error.path).toBe(path.join(layout.dir, 'index.json'));
  });
});
