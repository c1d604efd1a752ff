// Kit handles: the renderer never passes a path it was not handed (DESIGN §2
// rule 2). Every kit path reaches the main side from a native dialog, a drop
// (via the preload), a drive scan or a kit-folder scan; this registry stores
// it under a random id, and the renderer only ever sends that id back. A
// handle also remembers the verification made through it, so preflight uses
// the kit.json whose signature was checked.
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { AirlockError } from '../../shared/airlock-error.ts';
import type { KitVerification } from '../../shared/kit-verification.ts';
import type { KIT_KINDS, KIT_SOURCES } from '../../shared/ipc-kit-schemas.ts';

export type KitSource = (typeof KIT_SOURCES)[number];
export type KitKind = (typeof KIT_KINDS)[number];

export interface KitLocation {
  path: string;
  kind: KitKind;
  sizeBytes: number | null;
  source: KitSource;
  /** The drive or folder it was found on, in plain words. */
  location: string;
}

export interface KitHandle extends KitLocation {
  id: string;
  name: string;
  /** The last successful verification through this handle. */
  verification: KitVerification | null;
}

/** More than a session ever needs; the oldest handles are forgotten first. */
export const MAX_KIT_HANDLES = 2000;

export class KitHandleRegistry {
  readonly #byId = new Map<string, KitHandle>();
  readonly #byPath = new Map<string, string>();
  readonly #newId: () => string;

  constructor(newId: () => string = () => `kit_${randomBytes(16).toString('hex')}`) {
    this.#newId = newId;
  }

  /** Registers a path; the same path keeps its id (so a rescan keeps the renderer's selection). */
  register(location: KitLocation): KitHandle {
    const existingId = this.#byPath.get(location.path);
    const existing = existingId === undefined ? undefined : this.#byId.get(existingId);
    if (existing) {
      // A dialog or drop says more about intent than a scan; keep the newest facts but the id.
      Object.assign(existing, { kind: location.kind, sizeBytes: location.sizeBytes, source: location.source, location: location.location });
      return existing;
    }
    if (this.#byId.size >= MAX_KIT_HANDLES) {
      const oldest = this.#byId.keys().next().value as string;
      const gone = this.#byId.get(oldest)!;
      this.#byId.delete(oldest);
      this.#byPath.delete(gone.path);
    }
    const handle: KitHandle = { ...location, id: this.#newId(), name: path.basename(location.path), verification: null };
    this.#byId.set(handle.id, handle);
    this.#byPath.set(handle.path, handle.id);
    return handle;
  }

  /** The handle for an id the renderer sent back; anything else is KIT_HANDLE_UNKNOWN. */
  get(id: string): KitHandle {
    const handle = this.#byId.get(id);
    if (!handle) throw new AirlockError('KIT_HANDLE_UNKNOWN', 'this kit was not chosen in this session (or Airlock was restarted since)', { field: 'kit' });
    return handle;
  }

  /** Records a successful verification, so preflight can use the verified kit.json. */
  setVerification(id: string, verification: KitVerification | null): void {
    this.get(id).verification = verification;
  }
}

/** What the renderer is told about a handle (the path for reading only). */
export function describeHandle(handle: KitHandle): {
  id: string;
  name: string;
  displayPath: string;
  kind: KitKind;
  sizeBytes: number | null;
  source: KitSource;
  location: string;
} {
  return {
    id: handle.id,
    name: handle.name,
    displayPath: handle.path,
    kind: handle.kind,
    sizeBytes: handle.sizeBytes,
    source: handle.source,
    location: handle.location,
  };
}
