// Applies the entry rules of KIT-FORMAT §2 to every entry, whatever the
// container: allowed types, path rules, modes, collisions.
import { AirlockError } from '../../../shared/airlock-error.ts';
import { PathCollisionGuard, checkEntryMode, isExecutable, normalizeKitPath, printable } from './kit-path-rules.ts';
import type { TarEntryHeader } from './tar-stream-reader.ts';

export interface CheckedKitEntry {
  /** Normalized kit path (directories without the trailing "/"). */
  path: string;
  kind: 'file' | 'directory';
  size: number;
  executable: boolean;
}

export class KitEntryChecker {
  private readonly guard = new PathCollisionGuard();
  private readonly checkDirectoryModes: boolean;

  /**
   * `checkDirectoryModes: false` for unpacked kits: a folder's set-gid bit there
   * is inherited from the local parent folder, not chosen by the publisher.
   */
  constructor(opts: { checkDirectoryModes: boolean }) {
    this.checkDirectoryModes = opts.checkDirectoryModes;
  }

  /** Returns the checked entry, or null for the kit's own root ("./"). Throws the rule's code. */
  check(raw: TarEntryHeader): CheckedKitEntry | null {
    const shown = printable(raw.path.startsWith('./') ? raw.path.slice(2) : raw.path);
    if (raw.kind === 'unsupported') {
      throw new AirlockError('KIT_ENTRY_TYPE', `"${shown}" is a ${raw.typeName}; a kit may hold only regular files and directories`, {
        path: shown,
        details: { type: raw.typeName },
      });
    }
    if (raw.kind === 'directory' && (raw.path === './' || raw.path === '.')) return null;
    const path = normalizeKitPath(raw.path, { directory: raw.kind === 'directory' });
    if (raw.kind === 'file' || this.checkDirectoryModes) checkEntryMode(path, raw.mode);
    this.guard.add(path, raw.kind === 'file' ? 'file' : 'dir');
    return { path, kind: raw.kind, size: raw.kind === 'file' ? raw.size : 0, executable: raw.kind === 'file' && isExecutable(raw.mode) };
  }
}
