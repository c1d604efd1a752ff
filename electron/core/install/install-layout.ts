// Where things live under an install root:
//   <root>/releases/<version>/          one release's payload (executable bits kept)
//   <root>/releases/<version>~partial-<op>/   a release being written (never active)
//   <root>/releases/<version>~aside-<op>/     the previous copy of a release being repaired
//                                       ("~" cannot occur in a SemVer version, so these names
//                                       never collide with a release folder)
//   <root>/current                      the active release (a symlink; on Windows a junction
//                                       refreshed from current.json, which is the truth there)
//   <root>/current.json                 Windows only: the pointer file naming the active release
//   <root>/data/                        the databases kit.json names; never inside a release
//   <root>/.airlock/journal.json        the operation in flight, rewritten at each step boundary
//   <root>/.airlock/state.json          retained releases and the backup taken when each was left
//   <root>/.airlock/config.json         settings of this root ({"keep": N})
//   <root>/.airlock/backups/<op>/<db>.sqlite   database backups of operation <op>
//   <root>/.airlock/lock                held by the process working on this root
// The path API is injected so the Windows logic can be unit-tested on Linux with path.win32.
import path from 'node:path';
import { AirlockError } from '../../../shared/airlock-error.ts';
import { isSemver } from '../../../shared/kit-manifest.ts';
import { normalizeKitPath } from '../kit/kit-path-rules.ts';

export type PathApi = typeof path.posix;

export const RELEASES_DIR = 'releases';
export const DATA_DIR = 'data';
export const STATE_DIR = '.airlock';
export const CURRENT_LINK = 'current';
export const CURRENT_POINTER = 'current.json';

const PARTIAL_RE = /^(.+)~partial-(\d+)$/;
const ASIDE_RE = /^(.+)~aside-(\d+)$/;

/** A version is used as a folder name: it must be SemVer, which has no separators or dots-only parts. */
export function checkVersionName(version: string, field = 'version'): string {
  if (!isSemver(version)) throw new AirlockError('USAGE', `"${version}" is not a SemVer version such as 1.4.0`, { field });
  return version;
}

export class InstallLayout {
  readonly root: string;
  readonly path: PathApi;

  constructor(root: string, pathApi: PathApi = path) {
    this.path = pathApi;
    this.root = pathApi.resolve(root);
  }

  get releasesDir(): string {
    return this.path.join(this.root, RELEASES_DIR);
  }

  get dataDir(): string {
    return this.path.join(this.root, DATA_DIR);
  }

  get stateDir(): string {
    return this.path.join(this.root, STATE_DIR);
  }

  get journalFile(): string {
    return this.path.join(this.stateDir, 'journal.json');
  }

  get stateFile(): string {
    return this.path.join(this.stateDir, 'state.json');
  }

  get configFile(): string {
    return this.path.join(this.stateDir, 'config.json');
  }

  get lockFile(): string {
    return this.path.join(this.stateDir, 'lock');
  }

  get backupsDir(): string {
    return this.path.join(this.stateDir, 'backups');
  }

  get currentLink(): string {
    return this.path.join(this.root, CURRENT_LINK);
  }

  get currentPointer(): string {
    return this.path.join(this.root, CURRENT_POINTER);
  }

  /** The link text of `current`: relative, so the root can be moved or mounted elsewhere. */
  releaseLinkTarget(version: string): string {
    return `${RELEASES_DIR}${this.path.sep}${checkVersionName(version)}`;
  }

  releaseDir(version: string): string {
    return this.path.join(this.releasesDir, checkVersionName(version));
  }

  /** Folder name (under releases/) a release is written into before it is moved into place. */
  partialName(version: string, operationId: number): string {
    return `${checkVersionName(version)}~partial-${operationId}`;
  }

  /** Folder name (under releases/) an existing folder of the same version is moved to meanwhile. */
  asideName(version: string, operationId: number): string {
    return `${checkVersionName(version)}~aside-${operationId}`;
  }

  backupDir(operationId: number): string {
    return this.path.join(this.backupsDir, String(operationId));
  }

  backupFile(operationId: number, databaseId: string): string {
    return this.path.join(this.backupDir(operationId), `${databaseId}.sqlite`);
  }

  /**
   * A database path from kit.json, under <root>/data. The reader checked it
   * already; it is checked again because kit.json is read back from the store.
   */
  databaseFile(relative: string): string {
    let normal: string;
    try {
      normal = normalizeKitPath(relative);
    } catch (error) {
      throw new AirlockError('KIT_MANIFEST_INVALID', `database path "${relative}" is not a safe relative path: ${(error as Error).message}`, { field: 'databases[].path', cause: error });
    }
    return this.path.join(this.dataDir, ...normal.split('/'));
  }

  /** A path inside a release folder, from a kit-style relative path. */
  inRelease(releaseDir: string, relative: string): string {
    return this.path.join(releaseDir, ...normalizeKitPath(relative).split('/'));
  }

  /** Reads the version out of a release link target ("releases/1.2.0" or an absolute path ending so). */
  versionOfTarget(target: string): string | undefined {
    const parts = target.split(/[\\/]+/).filter((s) => s !== '');
    const version = parts[parts.length - 1];
    const parent = parts[parts.length - 2];
    if (version === undefined || parent !== RELEASES_DIR || !isSemver(version)) return undefined;
    return version;
  }

  /** Classifies a name under releases/. */
  static classifyReleaseEntry(name: string): { kind: 'release'; version: string } | { kind: 'partial' | 'aside'; version: string; operationId: number } | { kind: 'other' } {
    if (isSemver(name)) return { kind: 'release', version: name };
    const partial = PARTIAL_RE.exec(name);
    if (partial && isSemver(partial[1]!)) return { kind: 'partial', version: partial[1]!, operationId: Number(partial[2]) };
    const aside = ASIDE_RE.exec(name);
    if (aside && isSemver(aside[1]!)) return { kind: 'aside', version: aside[1]!, operationId: Number(aside[2]) };
    return { kind: 'other' };
  }
}
