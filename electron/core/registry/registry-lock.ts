// One writer per registry: the desktop app and the CLI share a data folder,
// and two imports interleaving their catalog commits and ingest clean-ups
// would corrupt each other's work. The lock is a file created with O_EXCL
// that names its holder, so the loser can say who holds it. A lock left by a
// process that died (SIGKILL, power loss) is taken over when its pid is gone
// on this host; a lock from another host is never taken over automatically.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import { AirlockError } from '../../../shared/airlock-error.ts';

export interface LockHolder {
  pid: number;
  host: string;
  command: string;
  startedAt: string;
}

export interface RegistryLockDeps {
  now?: () => Date;
  sleep?: (ms: number) => Promise<void>;
  hostname?: () => string;
  pid?: number;
  isAlive?: (pid: number) => boolean;
}

export interface AcquireOptions {
  /** What the holder is doing, shown to whoever waits ("kit import"). */
  command: string;
  /** How long to wait for a live holder; 0 fails at once. */
  waitSeconds?: number;
  signal?: AbortSignal;
}

const POLL_MS = 200;
/** A lock file still empty after this long belongs to a process that died between create and write. */
const EMPTY_LOCK_GRACE_MS = 5000;

function pidIsAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function parseHolder(text: string): LockHolder | undefined {
  try {
    const v = JSON.parse(text) as Partial<LockHolder>;
    if (typeof v.pid === 'number' && typeof v.host === 'string' && typeof v.command === 'string' && typeof v.startedAt === 'string') {
      return { pid: v.pid, host: v.host, command: v.command, startedAt: v.startedAt };
    }
  } catch {
    // An unparsable lock file is judged by its age below.
  }
  return undefined;
}

export function describeHolder(h: LockHolder): string {
  return `"${h.command}" (pid ${h.pid} on ${h.host}, since ${h.startedAt})`;
}

export class RegistryLock {
  readonly file: string;
  readonly holder: LockHolder;
  private readonly content: string;
  private released = false;

  private constructor(file: string, holder: LockHolder, content: string) {
    this.file = file;
    this.holder = holder;
    this.content = content;
  }

  /** Reads who holds the lock now, if anyone. */
  static readHolder(file: string): LockHolder | undefined {
    try {
      return parseHolder(fs.readFileSync(file, 'utf8'));
    } catch {
      return undefined;
    }
  }

  /** Takes the lock, waiting up to waitSeconds for a live holder; REGISTRY_LOCKED names the holder. */
  static async acquire(file: string, options: AcquireOptions, deps: RegistryLockDeps = {}): Promise<RegistryLock> {
    const now = deps.now ?? (() => new Date());
    const sleep = deps.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
    const deadline = now().getTime() + Math.max(0, options.waitSeconds ?? 0) * 1000;
    for (;;) {
      if (options.signal?.aborted) throw new AirlockError('CANCELLED', 'cancelled while waiting for the registry lock', { path: file });
      const outcome = RegistryLock.attempt(file, options.command, deps);
      if (outcome instanceof RegistryLock) return outcome;
      if (now().getTime() >= deadline) {
        const who = outcome ? describeHolder(outcome) : 'another process';
        throw new AirlockError('REGISTRY_LOCKED', `the registry is locked by ${who}${options.waitSeconds ? ` and stayed locked for ${options.waitSeconds} s` : ''}; if that process is gone for good, delete ${file}`, {
          path: file,
          details: outcome ? { holder: outcome } : undefined,
        });
      }
      await sleep(POLL_MS);
    }
  }

  /** Takes the lock if it is free or stale; undefined when a live process holds it. */
  static tryAcquire(file: string, command: string, deps: RegistryLockDeps = {}): RegistryLock | undefined {
    const outcome = RegistryLock.attempt(file, command, deps);
    return outcome instanceof RegistryLock ? outcome : undefined;
  }

  /** One try: the lock, or the live holder (undefined when the holder is unknown but must be respected). */
  private static attempt(file: string, command: string, deps: RegistryLockDeps): RegistryLock | LockHolder | undefined {
    const now = deps.now ?? (() => new Date());
    const host = (deps.hostname ?? os.hostname)();
    const pid = deps.pid ?? process.pid;
    const isAlive = deps.isAlive ?? pidIsAlive;
    for (let round = 0; round < 5; round++) {
      const holder: LockHolder = { pid, host, command, startedAt: now().toISOString() };
      const content = JSON.stringify(holder) + '\n';
      let fd: number | undefined;
      try {
        fd = fs.openSync(file, 'wx', 0o644);
        fs.writeSync(fd, content);
        fs.fsyncSync(fd);
        return new RegistryLock(file, holder, content);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') {
          throw new AirlockError('IO_ERROR', `cannot create the registry lock: ${(error as Error).message}`, { path: file, cause: error });
        }
      } finally {
        if (fd !== undefined) fs.closeSync(fd);
      }
      let text: string;
      let mtimeMs: number;
      try {
        text = fs.readFileSync(file, 'utf8');
        mtimeMs = fs.statSync(file).mtimeMs;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') continue; // released meanwhile
        throw new AirlockError('IO_ERROR', `cannot read the registry lock: ${(error as Error).message}`, { path: file, cause: error });
      }
      const current = parseHolder(text);
      const stale = current
        ? current.host === host && current.pid !== pid && !isAlive(current.pid)
        : now().getTime() - mtimeMs > EMPTY_LOCK_GRACE_MS;
      if (!stale) return current;
      RegistryLock.takeOver(file, text);
    }
    return RegistryLock.readHolder(file);
  }

  /**
   * Removes a stale lock without removing a fresh one that another process
   * created after we read the stale one: move it aside, check that what moved
   * is what was judged stale, and put it back if it is not.
   */
  private static takeOver(file: string, staleText: string): void {
    const aside = `${file}.stale-${process.pid}-${randomBytes(4).toString('hex')}`;
    try {
      fs.renameSync(file, aside);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw new AirlockError('IO_ERROR', `cannot take over the stale registry lock: ${(error as Error).message}`, { path: file, cause: error });
    }
    try {
      if (fs.readFileSync(aside, 'utf8') !== staleText) {
        try {
          fs.linkSync(aside, file);
        } catch {
          // Someone created a newer lock meanwhile; theirs stands.
        }
      }
    } finally {
      fs.rmSync(aside, { force: true });
    }
  }

  /** Removes the lock if it is still ours. */
  release(): void {
    if (this.released) return;
    this.released = true;
    try {
      if (fs.readFileSync(this.file, 'utf8') === this.content) fs.unlinkSync(this.file);
    } catch {
      // Already gone: nothing to release.
    }
  }
}
