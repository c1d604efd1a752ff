// OCI image layouts inside a kit (KIT-FORMAT §6). Blob digests come from the
// one streaming pass (every file is hashed anyway); the small JSON documents
// that describe the images (oci-layout, index.json, manifests, indexes,
// configs) are kept in memory as they stream by, so a tar is never read twice.
import { AirlockError } from '../../../shared/airlock-error.ts';
import type { KitImageSummary } from '../../../shared/kit-verification.ts';

/** Larger blobs are layers, never manifests. */
export const OCI_JSON_BLOB_MAX_BYTES = 4 * 1024 * 1024;
/** Bound on all kept JSON blobs together. */
export const OCI_JSON_TOTAL_MAX_BYTES = 64 * 1024 * 1024;
export const OCI_REF_NAME_ANNOTATION = 'org.opencontainers.image.ref.name';

const INDEX_MEDIA_TYPES = new Set(['application/vnd.oci.image.index.v1+json', 'application/vnd.docker.distribution.manifest.list.v2+json']);

const CANDIDATE_RE = /(?:^|\/)(?:oci-layout|index\.json|blobs\/sha256\/[0-9a-f]{64})$/;
const OPEN_BRACE = 0x7b;

export interface OciCaptureSlot {
  path: string;
  size: number;
  buf: Buffer | null;
  fill: number;
  skipped: boolean;
}

/**
 * Keeps the JSON documents an OCI layout may need. Until kit.json has been
 * read the images prefix is unknown, so any path shaped like a layout file is
 * a candidate; once it is known, only files under it are.
 */
export class OciJsonCapture {
  readonly blobs = new Map<string, Buffer>();
  private prefix: string | null = null;
  private total = 0;

  /** Narrows capture to one prefix and drops what lies outside it. */
  setPrefix(prefix: string): void {
    this.prefix = prefix;
    for (const [path, buf] of this.blobs) {
      if (!path.startsWith(prefix)) {
        this.blobs.delete(path);
        this.total -= buf.length;
      }
    }
  }

  begin(path: string, size: number): OciCaptureSlot | null {
    if (size === 0 || size > OCI_JSON_BLOB_MAX_BYTES) return null;
    if (this.prefix !== null ? !path.startsWith(this.prefix) : !CANDIDATE_RE.test(path)) return null;
    return { path, size, buf: null, fill: 0, skipped: false };
  }

  data(slot: OciCaptureSlot, chunk: Buffer): void {
    if (slot.skipped) return;
    if (slot.buf === null) {
      if (chunk[0] !== OPEN_BRACE) {
        slot.skipped = true;
        return;
      }
      this.total += slot.size;
      if (this.total > OCI_JSON_TOTAL_MAX_BYTES) {
        throw new AirlockError('OCI_LAYOUT_INVALID', `the kit's OCI layout has more than ${OCI_JSON_TOTAL_MAX_BYTES} bytes of JSON documents (manifests, indexes, configs)`, {
          path: slot.path,
        });
      }
      slot.buf = Buffer.allocUnsafe(slot.size);
    }
    chunk.copy(slot.buf, slot.fill);
    slot.fill += chunk.length;
  }

  end(slot: OciCaptureSlot): void {
    if (slot.buf !== null && slot.fill === slot.size) this.blobs.set(slot.path, slot.buf);
  }
}

interface Descriptor {
  mediaType: string;
  digest: string;
  hex: string;
  size: number;
  annotations: Record<string, unknown> | undefined;
}

function layoutInvalid(path: string, why: string): AirlockError {
  return new AirlockError('OCI_LAYOUT_INVALID', `${path}: ${why}`, { path });
}

function readJson(blobs: ReadonlyMap<string, Buffer>, path: string, what: string): Record<string, unknown> {
  const buf = blobs.get(path);
  if (!buf) throw layoutInvalid(path, `${what} must be a JSON object of at most ${OCI_JSON_BLOB_MAX_BYTES} bytes`);
  let doc: unknown;
  try {
    doc = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(buf));
  } catch (error) {
    throw layoutInvalid(path, `${what} is not valid JSON: ${(error as Error).message}`);
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) throw layoutInvalid(path, `${what} is not a JSON object`);
  return doc as Record<string, unknown>;
}

function parseDescriptor(value: unknown, referrer: string, field: string): Descriptor {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw layoutInvalid(referrer, `${field} is not a descriptor object`);
  const d = value as Record<string, unknown>;
  if (typeof d.mediaType !== 'string' || d.mediaType === '') throw layoutInvalid(referrer, `${field}.mediaType is missing`);
  if (typeof d.size !== 'number' || !Number.isSafeInteger(d.size) || d.size < 0) throw layoutInvalid(referrer, `${field}.size is not a byte count`);
  if (typeof d.digest !== 'string') throw layoutInvalid(referrer, `${field}.digest is missing`);
  const m = /^([a-z0-9]+(?:[+._-][a-z0-9]+)*):([A-Za-z0-9=_-]+)$/.exec(d.digest);
  if (!m) throw layoutInvalid(referrer, `${field}.digest "${d.digest}" is not a digest`);
  if (m[1] !== 'sha256') throw layoutInvalid(referrer, `${field}.digest uses "${m[1]}"; only sha256 digests are supported`);
  if (!/^[0-9a-f]{64}$/.test(m[2]!)) throw layoutInvalid(referrer, `${field}.digest "${d.digest}" is not 64 lower-case hex digits`);
  const annotations = typeof d.annotations === 'object' && d.annotations !== null && !Array.isArray(d.annotations) ? (d.annotations as Record<string, unknown>) : undefined;
  return { mediaType: d.mediaType, digest: d.digest, hex: m[2]!, size: d.size, annotations };
}

function descriptors(doc: Record<string, unknown>, key: string, referrer: string, required: boolean): Descriptor[] {
  const list = doc[key];
  if (list === undefined && !required) return [];
  if (!Array.isArray(list)) throw layoutInvalid(referrer, `"${key}" must be a list of descriptors`);
  return list.map((d, i) => parseDescriptor(d, referrer, `${key}[${i}]`));
}

/**
 * Checks the OCI layout under `prefix` and returns the tagged images of its
 * index.json. `files` maps every regular file of the kit to its size and
 * streamed sha256; `blobs` holds the captured JSON documents.
 */
export function checkOciLayout(
  prefix: string,
  files: ReadonlyMap<string, { size: number; sha256: string }>,
  blobs: ReadonlyMap<string, Buffer>,
): KitImageSummary[] {
  const layoutPath = `${prefix}oci-layout`;
  if (!files.has(layoutPath)) throw layoutInvalid(layoutPath, 'missing; an OCI image layout starts with an oci-layout file');
  const layout = readJson(blobs, layoutPath, 'oci-layout');
  if (layout.imageLayoutVersion !== '1.0.0') throw layoutInvalid(layoutPath, 'imageLayoutVersion must be "1.0.0"');

  const indexPath = `${prefix}index.json`;
  if (!files.has(indexPath)) throw layoutInvalid(indexPath, 'missing; an OCI image layout has an index.json');
  const index = readJson(blobs, indexPath, 'index.json');
  const top = descriptors(index, 'manifests', indexPath, true);

  const blobsPrefix = `${prefix}blobs/`;
  for (const [path, file] of files) {
    if (!path.startsWith(blobsPrefix)) continue;
    const m = /^sha256\/([0-9a-f]{64})$/.exec(path.slice(blobsPrefix.length));
    if (!m) throw layoutInvalid(path, 'blobs must be stored as blobs/sha256/<64 lower-case hex digits>; only sha256 is supported');
    if (file.sha256 !== m[1]) {
      throw new AirlockError('OCI_BLOB_DIGEST', `OCI blob ${path} has sha256 ${file.sha256}, not the digest its name says`, {
        path,
        details: { expected: `sha256:${m[1]}`, actual: `sha256:${file.sha256}` },
      });
    }
  }

  const visited = new Set<string>();
  const visit = (d: Descriptor, referrer: string, asManifest: boolean): void => {
    const blobPath = `${blobsPrefix}sha256/${d.hex}`;
    const file = files.get(blobPath);
    if (!file) {
      throw new AirlockError('OCI_BLOB_MISSING', `OCI blob ${d.digest} named by ${referrer} is not in the kit (expected at ${blobPath})`, {
        path: blobPath,
        details: { digest: d.digest, referencedBy: referrer },
      });
    }
    if (file.size !== d.size) {
      throw new AirlockError('OCI_BLOB_DIGEST', `OCI blob ${blobPath} is ${file.size} bytes, but ${referrer} says ${d.size}`, {
        path: blobPath,
        details: { digest: d.digest, referencedBy: referrer, size: file.size, expectedSize: d.size },
      });
    }
    if (!asManifest || visited.has(d.hex)) return;
    visited.add(d.hex);
    const doc = readJson(blobs, blobPath, `the manifest ${d.digest}`);
    const isIndex = INDEX_MEDIA_TYPES.has(d.mediaType) || (typeof doc.mediaType === 'string' && INDEX_MEDIA_TYPES.has(doc.mediaType));
    if (isIndex) {
      // A multi-platform index is kept whole: every platform's manifest must be present.
      for (const child of descriptors(doc, 'manifests', blobPath, true)) visit(child, blobPath, true);
      return;
    }
    if (doc.config !== undefined) visit(parseDescriptor(doc.config, blobPath, 'config'), blobPath, false);
    for (const layer of descriptors(doc, 'layers', blobPath, false)) visit(layer, blobPath, false);
    for (const blob of descriptors(doc, 'blobs', blobPath, false)) visit(blob, blobPath, false);
  };
  for (const d of top) visit(d, indexPath, true);

  const images: KitImageSummary[] = [];
  for (const d of top) {
    const ref = d.annotations?.[OCI_REF_NAME_ANNOTATION];
    if (typeof ref === 'string' && ref !== '') images.push({ ref, digest: d.digest, mediaType: d.mediaType });
  }
  return images;
}
