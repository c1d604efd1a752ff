// Pushes images from an OCI Image Layout to a registry over the distribution
// API. Every image is planned (and the layout checked) before the first
// request; then, repository by repository: HEAD every blob, mount the ones
// another repository of this run already holds, upload the rest streamed from
// disk a few at a time, PUT child manifests by digest and finally the top
// manifest under its tag. Memory stays bounded whatever the layer sizes.
import fs from 'node:fs/promises';
import { AirlockError } from '../../../shared/airlock-error.ts';
import type { ProgressListener } from '../../../shared/progress.ts';
import { ProgressMeter } from '../progress-meter.ts';
import type { RegistryCredentials } from './oci-distribution-auth.ts';
import { OciDistributionClient, type BodyFactory, type FetchFunction } from './oci-distribution-client.ts';
import { parsePushTarget } from './oci-distribution-reference.ts';
import type { RetryOptions } from './oci-distribution-retry.ts';
import { planImagePush, readLayoutImages, type ImagePushPlan, type PlannedBlob, type PushImage } from './registry-push-plan.ts';

export type { PushImage } from './registry-push-plan.ts';
export { readLayoutImages } from './registry-push-plan.ts';

export interface PushImagesOptions {
  /** An OCI Image Layout directory (oci-layout, index.json, blobs/sha256/<hex>). */
  layoutDir: string;
  images: PushImage[];
  /** HOST[:PORT] of the target registry. */
  to: string;
  /** Plain HTTP instead of HTTPS. */
  insecureHttp?: boolean;
  credentials?: RegistryCredentials | null;
  onProgress?: ProgressListener;
  signal?: AbortSignal;
  fetch?: FetchFunction;
  retry?: Partial<RetryOptions>;
  /** Blobs uploaded at the same time (default 4). */
  concurrency?: number;
  onRetry?: (info: { what: string; attempt: number; delayMs: number; reason: string }) => void;
  /** Monotonic clock in ms for progress and the duration. */
  now?: () => number;
}

export interface PushCounts {
  sent: number;
  skipped: number;
  mounted: number;
}

export interface PushedImage {
  /** The reference in the layout. */
  ref: string;
  /** The reference on the target registry. */
  target: string;
  repository: string;
  tag: string | null;
  digest: string;
  mediaType: string;
  /** Manifests PUT for this image (its own plus children of an index). */
  manifests: number;
  /** Config and layer blobs, each counted for the first image of its repository that names it. */
  blobs: PushCounts;
  bytes: PushCounts;
}

export interface PushResult {
  /** HOST[:PORT] pushed to. */
  registry: string;
  scheme: 'https' | 'http';
  images: PushedImage[];
  blobs: PushCounts;
  bytes: PushCounts;
  manifests: number;
  durationMs: number;
}

/** Where the images of a released kit are: the OCI layout and the refs of the release. */
export interface ReleaseImages {
  layoutDir: string;
  images: PushImage[];
}

/** Resolves NAME@VERSION to its images (the registry catalog implements it). */
export interface ReleaseImageSource {
  releaseImages(name: string, version: string): Promise<ReleaseImages>;
}

const READ_CHUNK = 256 * 1024;

/** Streams a file as a request body in 256 KiB reads; at most a few chunks are ever buffered. */
export function fileBody(file: string, size: number, onBytes: (n: number) => void): ReadableStream<Uint8Array> {
  let handle: fs.FileHandle | null = null;
  let position = 0;
  const close = async (): Promise<void> => {
    const h = handle;
    handle = null;
    await h?.close().catch(() => undefined);
  };
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        try {
          if (position >= size) {
            await close();
            controller.close();
            return;
          }
          handle ??= await fs.open(file, 'r');
          const buffer = Buffer.allocUnsafe(Math.min(READ_CHUNK, size - position));
          const { bytesRead } = await handle.read(buffer, 0, buffer.length, position);
          if (bytesRead === 0) {
            throw new AirlockError('OCI_BLOB_DIGEST', `${file} ended after ${position} of ${size} bytes while it was being sent`, { path: file });
          }
          position += bytesRead;
          onBytes(bytesRead);
          controller.enqueue(bytesRead === buffer.length ? buffer : buffer.subarray(0, bytesRead));
        } catch (error) {
          await close();
          controller.error(
            error instanceof AirlockError ? error : new AirlockError('IO_ERROR', `cannot read ${file}: ${(error as Error).message}`, { path: file, cause: error }),
          );
        }
      },
      async cancel() {
        await close();
      },
    },
    { highWaterMark: 2 },
  );
}

/** Runs `task` over `items` with at most `limit` at once; the first failure aborts the rest. */
async function runPool<T>(items: T[], limit: number, stop: AbortController, task: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  let failure: { error: unknown } | null = null;
  const worker = async (): Promise<void> => {
    while (failure === null && next < items.length) {
      const item = items[next++]!;
      try {
        await task(item);
      } catch (error) {
        if (failure === null) {
          failure = { error };
          stop.abort(error);
        }
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  if (failure !== null) throw (failure as { error: unknown }).error;
}

const zero = (): PushCounts => ({ sent: 0, skipped: 0, mounted: 0 });

interface RepoGroup {
  repository: string;
  plans: ImagePushPlan[];
  /** Unique blobs of the repository with the image they are counted for. */
  blobs: Array<{ blob: PlannedBlob; owner: PushedImage }>;
}

/**
 * Pushes `images` from `layoutDir` to the registry at `to`. Throws PUSH_FAILED
 * or PUSH_AUTH for registry failures, OCI_* for a broken layout (before any
 * request), CANCELLED when `signal` aborts.
 */
export async function pushImages(opts: PushImagesOptions): Promise<PushResult> {
  const now = opts.now ?? (() => performance.now());
  const started = now();
  const target = parsePushTarget(opts.to);
  if (opts.images.length === 0) throw new AirlockError('PUSH_FAILED', 'there are no images to push');

  // Plan everything first: a broken layout or a bad name fails before any request.
  const unique = new Map<string, PushImage>();
  for (const image of opts.images) unique.set(`${image.ref}\0${image.digest}`, image);
  const plans: ImagePushPlan[] = [];
  for (const image of unique.values()) plans.push(await planImagePush(opts.layoutDir, image, target));
  const byTarget = new Map<string, ImagePushPlan>();
  for (const plan of plans) {
    const other = byTarget.get(plan.reference.target);
    if (other && other.image.digest !== plan.image.digest) {
      throw new AirlockError('PUSH_FAILED', `${other.image.ref} and ${plan.image.ref} both become ${plan.reference.target} but are different images`, {
        field: 'ref',
        details: { refs: [other.image.ref, plan.image.ref] },
      });
    }
    byTarget.set(plan.reference.target, plan);
  }

  const results = new Map<ImagePushPlan, PushedImage>();
  const groups = new Map<string, RepoGroup>();
  for (const plan of plans) {
    const result: PushedImage = {
      ref: plan.image.ref,
      target: plan.reference.target,
      repository: plan.reference.repository,
      tag: plan.reference.tag,
      digest: plan.image.digest,
      mediaType: plan.manifests.at(-1)!.mediaType,
      manifests: 0,
      blobs: zero(),
      bytes: zero(),
    };
    results.set(plan, result);
    let group = groups.get(plan.reference.repository);
    if (!group) {
      group = { repository: plan.reference.repository, plans: [], blobs: [] };
      groups.set(plan.reference.repository, group);
    }
    group.plans.push(plan);
    const seen = new Set(group.blobs.map((b) => b.blob.digest));
    for (const blob of plan.blobs) {
      // A foreign layer stays where its URLs point; registries do not expect it.
      if (blob.path === null || seen.has(blob.digest)) continue;
      seen.add(blob.digest);
      group.blobs.push({ blob, owner: result });
    }
  }

  const stop = new AbortController();
  const signal = opts.signal ? AbortSignal.any([opts.signal, stop.signal]) : stop.signal;
  const client = new OciDistributionClient({
    target,
    insecureHttp: opts.insecureHttp ?? false,
    credentials: opts.credentials ?? null,
    fetch: opts.fetch,
    retry: opts.retry,
    signal,
    onRetry: opts.onRetry,
  });
  const concurrency = Math.max(1, opts.concurrency ?? 4);

  await client.ping();

  // HEAD every blob of every repository so the byte total is known up front.
  const present = new Map<string, Set<string>>();
  const heads: Array<{ repository: string; digest: string }> = [];
  for (const group of groups.values()) {
    present.set(group.repository, new Set());
    for (const { blob } of group.blobs) heads.push({ repository: group.repository, digest: blob.digest });
  }
  await runPool(heads, concurrency * 2, stop, async ({ repository, digest }) => {
    if (await client.blobExists(repository, digest)) present.get(repository)!.add(digest);
  });

  // Repositories known to hold each digest: found by HEAD, or filled earlier in this run.
  const holders = new Map<string, string[]>();
  for (const [repository, digests] of present) {
    for (const digest of digests) holders.set(digest, [...(holders.get(digest) ?? []), repository]);
  }
  let bytesTotal = 0;
  let itemsTotal = 0;
  const counted = new Set<string>();
  for (const group of groups.values()) {
    for (const { blob } of group.blobs) {
      if (present.get(group.repository)!.has(blob.digest)) continue;
      itemsTotal++;
      if (!holders.has(blob.digest) && !counted.has(blob.digest)) {
        counted.add(blob.digest);
        bytesTotal += blob.size;
      }
    }
  }
  const meter = new ProgressMeter({ phase: 'push', listener: opts.onProgress, bytesTotal, itemsTotal, now });
  meter.flush();

  try {
    for (const group of groups.values()) {
      const repository = group.repository;
      const missing = group.blobs.filter(({ blob, owner }) => {
        if (!present.get(repository)!.has(blob.digest)) return true;
        owner.blobs.skipped++;
        owner.bytes.skipped += blob.size;
        return false;
      });
      await runPool(missing, concurrency, stop, async ({ blob, owner }) => {
        let location: string | null = null;
        const from = holders.get(blob.digest)?.find((r) => r !== repository);
        if (from !== undefined) {
          const mount = await client.mountBlob(repository, blob.digest, from);
          if (mount.mounted) {
            owner.blobs.mounted++;
            owner.bytes.mounted += blob.size;
            holders.get(blob.digest)!.push(repository);
            meter.addItems();
            return;
          }
          location = mount.location;
          meter.bytesTotal = (meter.bytesTotal ?? 0) + blob.size;
        }
        let sentThisAttempt = 0;
        const body: BodyFactory = () => {
          // A retry starts the blob over: take back what the failed attempt reported.
          if (sentThisAttempt > 0) meter.addBytes(-sentThisAttempt);
          sentThisAttempt = 0;
          return fileBody(blob.path!, blob.size, (n) => {
            sentThisAttempt += n;
            meter.addBytes(n);
          });
        };
        await client.uploadBlob(repository, blob.digest, blob.size, body, { location });
        owner.blobs.sent++;
        owner.bytes.sent += blob.size;
        holders.set(blob.digest, [...(holders.get(blob.digest) ?? []), repository]);
        meter.addItems();
      });

      // Children before parents: a registry checks that what a manifest names is already there.
      const put = new Set<string>();
      for (const plan of group.plans) {
        const result = results.get(plan)!;
        const top = plan.manifests.at(-1)!;
        for (const m of plan.manifests.slice(0, -1)) {
          if (put.has(m.digest)) continue;
          await client.putManifest(repository, m.digest, m.mediaType, m.bytes, m.digest);
          put.add(m.digest);
          result.manifests++;
        }
        await client.putManifest(repository, plan.reference.tag ?? top.digest, top.mediaType, top.bytes, top.digest);
        put.add(top.digest);
        result.manifests++;
      }
    }
  } finally {
    meter.flush();
  }

  const images = plans.map((p) => results.get(p)!);
  const sum = (pick: (i: PushedImage) => PushCounts): PushCounts => ({
    sent: images.reduce((n, i) => n + pick(i).sent, 0),
    skipped: images.reduce((n, i) => n + pick(i).skipped, 0),
    mounted: images.reduce((n, i) => n + pick(i).mounted, 0),
  });
  return {
    registry: target.host,
    scheme: opts.insecureHttp ? 'http' : 'https',
    images,
    blobs: sum((i) => i.blobs),
    bytes: sum((i) => i.bytes),
    manifests: images.reduce((n, i) => n + i.manifests, 0),
    durationMs: now() - started,
  };
}

/** Pushes every named image of an OCI layout (`airlock registry push --layout DIR`). */
export async function pushLayout(opts: Omit<PushImagesOptions, 'images'>): Promise<PushResult> {
  return await pushImages({ ...opts, images: await readLayoutImages(opts.layoutDir) });
}
