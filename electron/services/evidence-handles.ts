// Evidence bundles this session exported, by opaque handle, as kit-handles.ts
// does for kits: the window asks to open a bundle's folder, or downloads its
// report.pdf (console mode), by handle; main only ever opens or serves a path
// it produced itself.
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { AirlockError } from '../../shared/airlock-error.ts';

/** The files of a bundle the console server offers for download. */
export const DOWNLOADABLE_EVIDENCE_FILES = ['report.pdf'] as const;
export type DownloadableEvidenceFile = (typeof DOWNLOADABLE_EVIDENCE_FILES)[number];

/** Where console mode serves a bundle's files: /downloads/evidence/<handle>/<file>. */
export const EVIDENCE_DOWNLOAD_PREFIX = '/downloads/evidence/';

const MAX_HANDLES = 500;

export interface EvidenceBundleRef {
  id: string;
  folder: string;
  operationId: number;
}

export class EvidenceHandleRegistry {
  readonly #byId = new Map<string, EvidenceBundleRef>();
  readonly #newId: () => string;

  constructor(newId: () => string = () => `ev_${randomBytes(16).toString('hex')}`) {
    this.#newId = newId;
  }

  register(folder: string, operationId: number): EvidenceBundleRef {
    for (const ref of this.#byId.values()) if (ref.folder === folder) return ref;
    if (this.#byId.size >= MAX_HANDLES) this.#byId.delete(this.#byId.keys().next().value as string);
    const ref = { id: this.#newId(), folder, operationId };
    this.#byId.set(ref.id, ref);
    return ref;
  }

  get(id: string): EvidenceBundleRef {
    const ref = this.#byId.get(id);
    if (!ref) {
      throw new AirlockError('IPC_INVALID', 'this evidence bundle was not exported in this session (or Airlock was restarted since)', {
        field: 'handle',
        remedy: 'Export the evidence again; the new bundle replaces the earlier one of the same operation.',
      });
    }
    return ref;
  }

  /** The URL path console mode serves a bundle file at. */
  downloadPath(id: string, file: DownloadableEvidenceFile): string {
    return `${EVIDENCE_DOWNLOAD_PREFIX}${id}/${file}`;
  }

  /** The file behind a download URL path, or null when the path names no file this session produced. */
  resolveDownload(urlPath: string): { file: string; fileName: string; contentType: string } | null {
    if (!urlPath.startsWith(EVIDENCE_DOWNLOAD_PREFIX)) return null;
    const [id, name, ...rest] = urlPath.slice(EVIDENCE_DOWNLOAD_PREFIX.length).split('/');
    if (rest.length > 0 || id === undefined || name === undefined) return null;
    if (!(DOWNLOADABLE_EVIDENCE_FILES as readonly string[]).includes(name)) return null;
    const ref = this.#byId.get(id);
    if (!ref) return null;
    return { file: path.join(ref.folder, name), fileName: `evidence-operation-${ref.operationId}-${name}`, contentType: 'application/pdf' };
  }
}
