// The registry's OCI index (<registry>/oci/index.json) is derived from the
// catalog, never edited on its own: it is rewritten atomically after each
// import commit and on start-up whenever it differs from what the catalog
// says, so a crash between the commit and the rewrite heals itself.
import path from 'node:path';
import type { BlobStore } from './blob-store.ts';
import type { ReleaseCatalog } from './release-catalog.ts';
import type { CrashHook } from './store-fs.ts';

export const OCI_INDEX_MEDIA_TYPE = 'application/vnd.oci.image.index.v1+json';
export const REF_NAME_ANNOTATION = 'org.opencontainers.image.ref.name';

export function renderOciIndex(images: Array<{ ref: string; descriptor: Record<string, unknown> }>): Buffer {
  const manifests = images.map(({ ref, descriptor }) => {
    const annotations = typeof descriptor.annotations === 'object' && descriptor.annotations !== null ? (descriptor.annotations as Record<string, string>) : {};
    return { ...descriptor, annotations: { ...annotations, [REF_NAME_ANNOTATION]: ref } };
  });
  return Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: OCI_INDEX_MEDIA_TYPE, manifests }, null, 2) + '\n');
}

export function ociIndexPath(store: BlobStore): string {
  return path.join(store.ociDir, 'index.json');
}

/** Rewrites index.json when it differs from the catalog; returns whether it wrote. */
export async function syncOciIndex(store: BlobStore, catalog: ReleaseCatalog, crash: CrashHook = () => {}): Promise<boolean> {
  const wanted = renderOciIndex(catalog.indexImages());
  const file = ociIndexPath(store);
  const current = await store.fs.readFile(file).catch(() => undefined);
  if (current && Buffer.compare(current, wanted) === 0) return false;
  await store.writeFileAtomic(file, wanted, {
    opened: () => crash('index-temp-opened'),
    written: () => crash('index-temp-written'),
    synced: () => crash('index-temp-fsynced'),
    renamed: () => crash('index-renamed'),
  });
  return true;
}
