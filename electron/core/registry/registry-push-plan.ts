// What a push sends, worked out from an OCI Image Layout before the first
// request: for each image its manifests (children before parents) and the
// config and layer blobs they name, each checked to be present with the size
// its descriptor states, and each manifest's bytes checked against its digest.
// Nothing is sent when the layout is incomplete.
import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { AirlockError } from '../../../shared/airlock-error.ts';
import { isSha256Digest, rewriteReference, type PushTarget, type RewrittenReference } from './oci-distribution-reference.ts';

export const REF_NAME_ANNOTATION = 'org.opencontainers.image.ref.name';

export const MEDIA_TYPES = {
  ociIndex: 'application/vnd.oci.image.index.v1+json',
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  dockerList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
} as const;

const INDEX_TYPES = new Set<string>([MEDIA_TYPES.ociIndex, MEDIA_TYPES.dockerList]);
const MANIFEST_TYPES = new Set<string>([MEDIA_TYPES.ociManifest, MEDIA_TYPES.dockerManifest]);

/** Registries refuse larger manifests (distribution's limit is 4 MiB). */
const MAX_MANIFEST_BYTES = 4 * 1024 * 1024;
const MAX_INDEX_DEPTH = 8;

/** One image to push: the reference it is known by and its top manifest or index. */
export interface PushImage {
  ref: string;
  digest: string;
  mediaType: string;
}

export interface PlannedBlob {
  digest: string;
  size: number;
  mediaType: string;
  /** The file in the layout; null for a foreign layer the layout does not hold (it has `urls` and stays where they point). */
  path: string | null;
}

export interface PlannedManifest {
  digest: string;
  mediaType: string;
  bytes: Buffer;
}

export interface ImagePushPlan {
  image: PushImage;
  reference: RewrittenReference;
  /** Config and layer blobs of every manifest, each digest once, in walk order. */
  blobs: PlannedBlob[];
  /** Every manifest, children before the indexes naming them; the last is the image's own. */
  manifests: PlannedManifest[];
}

interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  urls?: string[];
  annotations?: Record<string, string>;
}

export function blobPath(layoutDir: string, digest: string): string {
  return path.join(layoutDir, 'blobs', 'sha256', digest.slice('sha256:'.length));
}

function invalid(message: string, where: string, field?: string): AirlockError {
  return new AirlockError('OCI_LAYOUT_INVALID', message, { path: where, ...(field ? { field } : {}) });
}

function readDescriptor(value: unknown, where: string, field: string): Descriptor {
  if (typeof value !== 'object' || value === null) throw invalid(`${field} is not a descriptor object`, where, field);
  const d = value as Record<string, unknown>;
  if (typeof d.digest !== 'string' || !isSha256Digest(d.digest)) throw invalid(`${field}.digest must be sha256:<64 lower-case hex>, got ${JSON.stringify(d.digest)}`, where, `${field}.digest`);
  if (typeof d.size !== 'number' || !Number.isSafeInteger(d.size) || d.size < 0) throw invalid(`${field}.size must be a non-negative integer`, where, `${field}.size`);
  if (typeof d.mediaType !== 'string' || d.mediaType === '') throw invalid(`${field}.mediaType is missing`, where, `${field}.mediaType`);
  const out: Descriptor = { mediaType: d.mediaType, digest: d.digest, size: d.size };
  if (Array.isArray(d.urls)) out.urls = d.urls.filter((u): u is string => typeof u === 'string');
  if (typeof d.annotations === 'object' && d.annotations !== null) {
    out.annotations = Object.fromEntries(Object.entries(d.annotations).filter((e): e is [string, string] => typeof e[1] === 'string'));
  }
  return out;
}

async function readJson(file: string, maxBytes: number): Promise<{ bytes: Buffer; json: unknown }> {
  let bytes: Buffer;
  try {
    const stat = await fs.stat(file);
    if (stat.size > maxBytes) throw invalid(`${path.basename(file)} is larger than ${maxBytes} bytes`, file);
    bytes = await fs.readFile(file);
  } catch (error) {
    if (error instanceof AirlockError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') throw invalid(`${file} does not exist; an OCI Image Layout needs oci-layout, index.json and blobs/sha256`, file);
    throw new AirlockError('IO_ERROR', `cannot read ${file}: ${(error as Error).message}`, { path: file, cause: error });
  }
  try {
    return { bytes, json: JSON.parse(bytes.toString('utf8')) };
  } catch {
    throw invalid(`${file} is not valid JSON`, file);
  }
}

/** Every image of the layout that carries a reference name, in index.json order. */
export async function readLayoutImages(layoutDir: string): Promise<PushImage[]> {
  const layoutFile = path.join(layoutDir, 'oci-layout');
  const { json: layout } = await readJson(layoutFile, 64 * 1024);
  if (typeof layout !== 'object' || layout === null || typeof (layout as { imageLayoutVersion?: unknown }).imageLayoutVersion !== 'string') {
    throw invalid('oci-layout has no imageLayoutVersion', layoutFile, 'imageLayoutVersion');
  }
  const indexFile = path.join(layoutDir, 'index.json');
  const { json: index } = await readJson(indexFile, MAX_MANIFEST_BYTES);
  const manifests = (index as { manifests?: unknown }).manifests;
  if (!Array.isArray(manifests)) throw invalid('index.json has no manifests list', indexFile, 'manifests');
  const images: PushImage[] = [];
  manifests.forEach((value, i) => {
    const d = readDescriptor(value, indexFile, `manifests[${i}]`);
    const ref = d.annotations?.[REF_NAME_ANNOTATION];
    if (ref) images.push({ ref, digest: d.digest, mediaType: d.mediaType });
  });
  if (images.length === 0) throw invalid(`no image in index.json carries the ${REF_NAME_ANNOTATION} annotation, so none has a name to push under`, indexFile, 'manifests');
  return images;
}

async function statBlob(layoutDir: string, d: Descriptor, owner: string): Promise<string | null> {
  const file = blobPath(layoutDir, d.digest);
  try {
    const stat = await fs.stat(file);
    if (!stat.isFile()) throw new AirlockError('OCI_BLOB_MISSING', `${d.digest} named by ${owner} is not a regular file`, { path: file });
    if (stat.size !== d.size) {
      throw new AirlockError('OCI_BLOB_DIGEST', `${d.digest} named by ${owner} holds ${stat.size} bytes but its descriptor says ${d.size}`, { path: file });
    }
    return file;
  } catch (error) {
    if (error instanceof AirlockError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') {
      if (d.urls && d.urls.length > 0) return null;
      throw new AirlockError('OCI_BLOB_MISSING', `${d.digest} named by ${owner} is not in the layout`, { path: file });
    }
    throw new AirlockError('IO_ERROR', `cannot read ${file}: ${(error as Error).message}`, { path: file, cause: error });
  }
}

async function readManifest(layoutDir: string, d: Descriptor, owner: string): Promise<{ bytes: Buffer; json: Record<string, unknown>; mediaType: string }> {
  const file = blobPath(layoutDir, d.digest);
  let bytes: Buffer;
  try {
    const stat = await fs.stat(file);
    if (stat.size > MAX_MANIFEST_BYTES) throw invalid(`manifest ${d.digest} is larger than ${MAX_MANIFEST_BYTES} bytes, more than registries accept`, file);
    bytes = await fs.readFile(file);
  } catch (error) {
    if (error instanceof AirlockError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') throw new AirlockError('OCI_BLOB_MISSING', `manifest ${d.digest} named by ${owner} is not in the layout`, { path: file });
    throw new AirlockError('IO_ERROR', `cannot read ${file}: ${(error as Error).message}`, { path: file, cause: error });
  }
  const actual = `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
  if (actual !== d.digest || (d.size >= 0 && bytes.length !== d.size)) {
    throw new AirlockError('OCI_BLOB_DIGEST', `manifest ${d.digest} named by ${owner} has digest ${actual} and ${bytes.length} bytes (descriptor: ${d.size})`, { path: file });
  }
  let json: unknown;
  try {
    json = JSON.parse(bytes.toString('utf8'));
  } catch {
    throw invalid(`manifest ${d.digest} is not valid JSON`, file);
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw invalid(`manifest ${d.digest} is not a JSON object`, file);
  const obj = json as Record<string, unknown>;
  // The document's own mediaType wins: registries check the Content-Type against it.
  const mediaType = typeof obj.mediaType === 'string' && obj.mediaType !== ''
    ? obj.mediaType
    : INDEX_TYPES.has(d.mediaType) || MANIFEST_TYPES.has(d.mediaType)
      ? d.mediaType
      : Array.isArray(obj.manifests) ? MEDIA_TYPES.ociIndex : MEDIA_TYPES.ociManifest;
  return { bytes, json: obj, mediaType };
}

/**
 * Reads an image's manifest graph from the layout and moves its reference
 * onto `target`. Fails (OCI_BLOB_MISSING, OCI_BLOB_DIGEST,
 * OCI_LAYOUT_INVALID, PUSH_FAILED for a bad reference) before anything is sent.
 */
export async function planImagePush(layoutDir: string, image: PushImage, target: PushTarget): Promise<ImagePushPlan> {
  if (!isSha256Digest(image.digest)) {
    throw invalid(`image ${image.ref} has digest ${JSON.stringify(image.digest)}; only sha256 digests are supported`, path.join(layoutDir, 'index.json'), 'digest');
  }
  const reference = rewriteReference(image.ref, target, image.digest);
  const blobs: PlannedBlob[] = [];
  const blobSeen = new Set<string>();
  const manifests: PlannedManifest[] = [];
  const manifestSeen = new Set<string>();
  const onPath = new Set<string>();

  const visit = async (d: Descriptor, owner: string, depth: number): Promise<void> => {
    if (manifestSeen.has(d.digest)) return;
    if (onPath.has(d.digest) || depth > MAX_INDEX_DEPTH) throw invalid(`the manifests of ${image.ref} nest too deeply or form a cycle at ${d.digest}`, blobPath(layoutDir, d.digest));
    onPath.add(d.digest);
    const { bytes, json, mediaType } = await readManifest(layoutDir, d, owner);
    const where = blobPath(layoutDir, d.digest);
    if (INDEX_TYPES.has(mediaType)) {
      if (!Array.isArray(json.manifests)) throw invalid(`index ${d.digest} has no manifests list`, where, 'manifests');
      for (const [i, child] of json.manifests.entries()) {
        const cd = readDescriptor(child, where, `manifests[${i}]`);
        if (!INDEX_TYPES.has(cd.mediaType) && !MANIFEST_TYPES.has(cd.mediaType)) {
          throw invalid(`index ${d.digest} names ${cd.digest} of media type ${cd.mediaType}, which is not a manifest or index`, where, `manifests[${i}].mediaType`);
        }
        await visit(cd, `index ${d.digest}`, depth + 1);
      }
    } else if (MANIFEST_TYPES.has(mediaType)) {
      const config = readDescriptor(json.config, where, 'config');
      if (!Array.isArray(json.layers)) throw invalid(`manifest ${d.digest} has no layers list`, where, 'layers');
      const layers = json.layers.map((l, i) => readDescriptor(l, where, `layers[${i}]`));
      for (const b of [config, ...layers]) {
        if (blobSeen.has(b.digest)) continue;
        blobSeen.add(b.digest);
        const file = await statBlob(layoutDir, b, `manifest ${d.digest}`);
        blobs.push({ digest: b.digest, size: b.size, mediaType: b.mediaType, path: file });
      }
    } else {
      throw invalid(`${d.digest} has media type ${mediaType}, which is not an image manifest or index`, where, 'mediaType');
    }
    onPath.delete(d.digest);
    manifestSeen.add(d.digest);
    manifests.push({ digest: d.digest, mediaType, bytes });
  };

  // The top size is unknown here (PushImage carries none); the digest check covers it.
  await visit({ mediaType: image.mediaType, digest: image.digest, size: -1 }, `the reference ${image.ref}`, 0);
  return { image, reference, blobs, manifests };
}
