// Switching the active release atomically. Two strategies behind one
// interface, the platform chosen at construction:
//
// - Linux and macOS ("symlink"): <root>/current is a relative symlink
//   "releases/<version>". A new link is made under a temp name and renamed
//   over current: rename(2) replaces the old link in one step, so a reader (or
//   a process started after a SIGKILL) sees the old release or the new one.
//
// - Windows ("pointer-file"): renaming over an existing directory junction is
//   not possible on Windows (MoveFileEx refuses a directory target), so a
//   junction swap always has a moment with no `current`. The truth is
//   therefore the pointer file <root>/current.json, replaced by
//   temp + fsync + MoveFileEx(REPLACE_EXISTING), which NTFS performs
//   atomically for files. A junction <root>\current is kept as a convenience
//   for launching the app; it is rebuilt from current.json after every switch
//   and by tidy(), so a crash between the two only leaves a stale junction
//   that the next Airlock command repairs.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { AirlockError } from '../../../shared/airlock-error.ts';
import { isErrno, syncDirSync, writeFileAtomicSync } from './atomic-file.ts';
import { CURRENT_LINK, CURRENT_POINTER, InstallLayout, type PathApi } from './install-layout.ts';

export type SwitchStrategy = 'symlink' | 'pointer-file';

export interface ReleaseSwitch {
  readonly strategy: SwitchStrategy;
  /** The version `current` names, or null when nothing is active. */
  read(): string | null;
  /** Makes releases/<version> the active release in one atomic step. */
  activate(version: string): void;
  /** Removes `current` (a fresh install that is undone leaves nothing active). */
  clear(): void;
  /** Removes leftovers of an interrupted switch and rebuilds derived views; returns what it removed or rebuilt. */
  tidy(): string[];
}

/** The synchronous file-system calls a switch makes; tests pass an in-memory one with Windows paths. */
export interface SwitchFs {
  /** undefined when the path does not exist. */
  lstat(p: string): { isSymbolicLink(): boolean; isFile(): boolean; isDirectory(): boolean } | undefined;
  readlink(p: string): string;
  symlink(target: string, p: string, type: 'dir' | 'junction'): void;
  rename(from: string, to: string): void;
  /** Removes a file, link or junction (not a directory's contents); no-op when absent. */
  unlink(p: string): void;
  /** undefined when the file does not exist. */
  readText(p: string): string | undefined;
  writeTextAtomic(p: string, text: string): void;
  readdir(dir: string): string[];
  syncDir(dir: string): void;
}

export const nodeSwitchFs: SwitchFs = {
  lstat(p) {
    try {
      return fs.lstatSync(p);
    } catch (error) {
      if (isErrno(error, 'ENOENT', 'ENOTDIR')) return undefined;
      throw error;
    }
  },
  readlink: (p) => fs.readlinkSync(p),
  symlink: (target, p, type) => fs.symlinkSync(target, p, type),
  rename: (from, to) => fs.renameSync(from, to),
  unlink(p) {
    try {
      fs.unlinkSync(p);
    } catch (error) {
      if (isErrno(error, 'ENOENT')) return;
      // A junction on Windows is removed as a directory.
      if (isErrno(error, 'EISDIR', 'EPERM')) {
        fs.rmdirSync(p);
        return;
      }
      throw error;
    }
  },
  readText(p) {
    try {
      return fs.readFileSync(p, 'utf8');
    } catch (error) {
      if (isErrno(error, 'ENOENT')) return undefined;
      throw error;
    }
  },
  writeTextAtomic: (p, text) => writeFileAtomicSync(p, Buffer.from(text)),
  readdir(dir) {
    try {
      return fs.readdirSync(dir);
    } catch (error) {
      if (isErrno(error, 'ENOENT')) return [];
      throw error;
    }
  },
  syncDir: (dir) => syncDirSync(dir),
};

export const POINTER_SCHEMA = 'airlock.current/v1';
const TEMP_LINK_PREFIX = '.current-';

function switchError(error: unknown, what: string, file: string): AirlockError {
  if (error instanceof AirlockError) return error;
  return new AirlockError('IO_ERROR', `${what}: ${(error as Error).message}`, { path: file, cause: error });
}

/** The symlink strategy (Linux, macOS). */
export class SymlinkReleaseSwitch implements ReleaseSwitch {
  readonly strategy = 'symlink' as const;
  private readonly layout: InstallLayout;
  private readonly fs: SwitchFs;

  constructor(layout: InstallLayout, switchFs: SwitchFs = nodeSwitchFs) {
    this.layout = layout;
    this.fs = switchFs;
  }

  read(): string | null {
    const link = this.layout.currentLink;
    const st = this.fs.lstat(link);
    if (!st) return null;
    if (!st.isSymbolicLink()) {
      throw new AirlockError('INSTALL_ROOT_INVALID', `${link} is not a symbolic link; Airlock keeps "current" as a link to releases/<version>`, { path: link });
    }
    const target = this.fs.readlink(link);
    const version = this.layout.versionOfTarget(target);
    if (version === undefined) {
      throw new AirlockError('INSTALL_ROOT_INVALID', `${link} points at "${target}", not at a release folder releases/<version>`, { path: link });
    }
    return version;
  }

  activate(version: string): void {
    const link = this.layout.currentLink;
    const tmp = this.layout.path.join(this.layout.root, `${TEMP_LINK_PREFIX}${process.pid}-${randomBytes(4).toString('hex')}`);
    try {
      this.fs.symlink(this.layout.releaseLinkTarget(version), tmp, 'dir');
      this.fs.rename(tmp, link);
      this.fs.syncDir(this.layout.root);
    } catch (error) {
      try {
        this.fs.unlink(tmp);
      } catch {
        // The temp link is also removed by tidy() on the next start.
      }
      throw switchError(error, `cannot point ${link} at release ${version}`, link);
    }
  }

  clear(): void {
    const link = this.layout.currentLink;
    try {
      this.fs.unlink(link);
      this.fs.syncDir(this.layout.root);
    } catch (error) {
      throw switchError(error, `cannot remove ${link}`, link);
    }
  }

  tidy(): string[] {
    const done: string[] = [];
    for (const name of this.fs.readdir(this.layout.root)) {
      if (name.startsWith(TEMP_LINK_PREFIX)) {
        this.fs.unlink(this.layout.path.join(this.layout.root, name));
        done.push(`removed the temporary link ${name}`);
      }
    }
    return done;
  }
}

interface PointerDoc {
  schema: string;
  release: string;
}

/** The pointer-file strategy (Windows), with a junction rebuilt from it. */
export class PointerFileReleaseSwitch implements ReleaseSwitch {
  readonly strategy = 'pointer-file' as const;
  private readonly layout: InstallLayout;
  private readonly fs: SwitchFs;
  private readonly junction: boolean;

  constructor(layout: InstallLayout, switchFs: SwitchFs = nodeSwitchFs, options: { junction?: boolean } = {}) {
    this.layout = layout;
    this.fs = switchFs;
    this.junction = options.junction ?? true;
  }

  read(): string | null {
    const file = this.layout.currentPointer;
    const text = this.fs.readText(file);
    if (text === undefined) return null;
    let doc: PointerDoc;
    try {
      doc = JSON.parse(text) as PointerDoc;
    } catch (error) {
      throw new AirlockError('INSTALL_ROOT_INVALID', `${file} is not valid JSON (${(error as Error).message})`, { path: file, cause: error });
    }
    if (doc.schema !== POINTER_SCHEMA || typeof doc.release !== 'string' || this.layout.versionOfTarget(`releases/${doc.release}`) === undefined) {
      throw new AirlockError('INSTALL_ROOT_INVALID', `${file} does not name a release (expected {"schema":"${POINTER_SCHEMA}","release":"<version>"})`, { path: file });
    }
    return doc.release;
  }

  activate(version: string): void {
    const file = this.layout.currentPointer;
    const doc = { schema: POINTER_SCHEMA, release: version, path: this.layout.releaseLinkTarget(version) };
    try {
      this.fs.writeTextAtomic(file, JSON.stringify(doc, null, 2) + '\n');
    } catch (error) {
      throw switchError(error, `cannot point ${file} at release ${version}`, file);
    }
    if (this.junction) this.rebuildJunction(version);
  }

  clear(): void {
    const file = this.layout.currentPointer;
    try {
      this.fs.unlink(file);
      this.fs.syncDir(this.layout.root);
    } catch (error) {
      throw switchError(error, `cannot remove ${file}`, file);
    }
    if (this.junction) this.fs.unlink(this.layout.currentLink);
  }

  tidy(): string[] {
    const done: string[] = [];
    for (const name of this.fs.readdir(this.layout.root)) {
      if (name.startsWith(`${CURRENT_POINTER}.tmp-`) || name.startsWith(`${CURRENT_LINK}.new-`)) {
        this.fs.unlink(this.layout.path.join(this.layout.root, name));
        done.push(`removed the leftover ${name}`);
      }
    }
    if (!this.junction) return done;
    const version = this.read();
    const link = this.layout.currentLink;
    const st = this.fs.lstat(link);
    const pointsAt = st?.isSymbolicLink() ? this.layout.versionOfTarget(this.fs.readlink(link)) : undefined;
    if (version === null) {
      if (st) {
        this.fs.unlink(link);
        done.push('removed the junction "current" (no release is active)');
      }
    } else if (pointsAt !== version) {
      this.rebuildJunction(version);
      done.push(`rebuilt the junction "current" for release ${version} from ${CURRENT_POINTER}`);
    }
    return done;
  }

  /**
   * Not atomic (see the file comment): make the new junction under a temp
   * name, remove the old one, rename the new one into place.
   */
  private rebuildJunction(version: string): void {
    const link = this.layout.currentLink;
    const fresh = this.layout.path.join(this.layout.root, `${CURRENT_LINK}.new-${process.pid}`);
    try {
      this.fs.unlink(fresh);
      // Junctions need an absolute target.
      this.fs.symlink(this.layout.releaseDir(version), fresh, 'junction');
      const st = this.fs.lstat(link);
      if (st && !st.isSymbolicLink()) {
        throw new AirlockError('INSTALL_ROOT_INVALID', `${link} is not a junction; Airlock keeps "current" as a junction to releases\\<version>`, { path: link });
      }
      this.fs.unlink(link);
      this.fs.rename(fresh, link);
    } catch (error) {
      throw switchError(error, `cannot rebuild the junction ${link}`, link);
    }
  }
}

/** The switch for the platform: pointer file with a junction on Windows, a symlink elsewhere. */
export function createReleaseSwitch(layout: InstallLayout, platform: NodeJS.Platform = process.platform, switchFs: SwitchFs = nodeSwitchFs): ReleaseSwitch {
  return platform === 'win32' ? new PointerFileReleaseSwitch(layout, switchFs) : new SymlinkReleaseSwitch(layout, switchFs);
}

/** The path API of a platform, so Windows layouts can be computed (and tested) anywhere. */
export function pathApiFor(platform: NodeJS.Platform): PathApi {
  return platform === 'win32' ? (path.win32 as PathApi) : path.posix;
}
