// The real side effects behind a host probe: Node's fs, os and child_process.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { constants as fsConstants } from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { AirlockError } from '../../../shared/airlock-error.ts';
import type { Clock, HostProbeDeps, OsFactsSource, PathInspector, ProcessRunner, SystemFiles } from './probe-deps.ts';

const SYSTEM_FILE_MAX_BYTES = 4 * 1024 * 1024;
const RUN_TIMEOUT_MS = 15_000;

/**
 * System files below root ("/" on a real host, a fixture tree in tests). /proc
 * files report size 0, so they are read as a stream up to a cap, not by stat size.
 */
export function createRootedSystemFiles(root: string): SystemFiles {
  return {
    async readText(absPath) {
      // Resolved against "/" first, so ".." can never climb out of root.
      const full = path.join(root, ...path.posix.resolve('/', absPath).split('/').filter((s) => s !== ''));
      let handle: fs.FileHandle;
      try {
        handle = await fs.open(full, fsConstants.O_RDONLY);
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if (code === 'ENOENT' || code === 'ENOTDIR') return null;
        throw new AirlockError('IO_ERROR', `cannot read ${absPath}: ${(error as Error).message}`, { path: full, cause: error });
      }
      try {
        const chunks: Buffer[] = [];
        let total = 0;
        for (;;) {
          const buffer = Buffer.alloc(64 * 1024);
          const { bytesRead } = await handle.read(buffer, 0, buffer.length, null);
          if (bytesRead === 0) break;
          chunks.push(buffer.subarray(0, bytesRead));
          total += bytesRead;
          if (total >= SYSTEM_FILE_MAX_BYTES) break;
        }
        return Buffer.concat(chunks).toString('utf8');
      } catch (error) {
        throw new AirlockError('IO_ERROR', `cannot read ${absPath}: ${(error as Error).message}`, { path: full, cause: error });
      } finally {
        await handle.close();
      }
    },
  };
}

export function createNodeProcessRunner(timeoutMs = RUN_TIMEOUT_MS): ProcessRunner {
  return {
    run(file, args) {
      return new Promise((resolve, reject) => {
        execFile(file, [...args], { timeout: timeoutMs, windowsHide: true, encoding: 'utf8', maxBuffer: 4 * 1024 * 1024 }, (error, stdout, stderr) => {
          if (error && (typeof error.code === 'string' || error.killed)) {
            reject(new AirlockError('IO_ERROR', `cannot run ${file}: ${error.message}`, { path: file, cause: error }));
            return;
          }
          const exitCode = error ? (typeof error.code === 'number' ? error.code : null) : 0;
          resolve({ exitCode, stdout, stderr });
        });
      });
    },
  };
}

/** Memory the process may use: the cgroup limit when it is below physical memory. */
function usableMemory(): number {
  const total = os.totalmem();
  const constrained = typeof process.constrainedMemory === 'function' ? process.constrainedMemory() : 0;
  return constrained > 0 && constrained < total ? constrained : total;
}

export function nodeOsFacts(): OsFactsSource {
  let machine: string | null;
  try {
    machine = os.machine();
  } catch {
    machine = null;
  }
  return {
    platform: process.platform,
    arch: process.arch,
    machine,
    release: os.release(),
    cpus: os.availableParallelism(),
    totalMemoryBytes: usableMemory(),
  };
}

export function createNodePathInspector(): PathInspector {
  return {
    async stat(p) {
      try {
        const s = await fs.stat(p);
        return { isDirectory: s.isDirectory(), size: s.size, dev: s.dev };
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if (code === 'ENOENT' || code === 'ENOTDIR') return null;
        throw error;
      }
    },
    async statfs(p) {
      const s = await fs.statfs(p);
      return { freeBytes: s.bavail * s.bsize, totalBytes: s.blocks * s.bsize, type: s.type };
    },
    async probeWrite(dir) {
      const probe = path.join(dir, `.airlock-preflight-${process.pid}-${randomBytes(6).toString('hex')}`);
      let handle: fs.FileHandle;
      try {
        handle = await fs.open(probe, 'wx', 0o600);
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code ?? 'error';
        return { ok: false, reason: `cannot create a file in ${dir} (${code})` };
      }
      try {
        await handle.write('airlock preflight\n');
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code ?? 'error';
        return { ok: false, reason: `cannot write a file in ${dir} (${code})` };
      } finally {
        await handle.close().catch(() => undefined);
        await fs.rm(probe, { force: true });
      }
      return { ok: true };
    },
    realpath: (p) => fs.realpath(p),
    async readText(p, maxBytes) {
      const s = await fs.stat(p);
      if (s.size > maxBytes) throw new AirlockError('IO_ERROR', `${p} is larger than ${maxBytes} bytes`, { path: p });
      return fs.readFile(p, 'utf8');
    },
    async treeSize(dir) {
      let total = 0;
      const entries = await fs.readdir(dir, { recursive: true, withFileTypes: true });
      for (const entry of entries) {
        if (entry.isFile()) total += (await fs.stat(path.join(entry.parentPath, entry.name))).size;
      }
      return total;
    },
  };
}

export const systemClock: Clock = { now: () => new Date() };

/** Everything a probe of this machine needs. systemRoot is "/" except in tests. */
export function createNodeHostProbeDeps(options: { systemRoot?: string; clock?: Clock } = {}): HostProbeDeps {
  return {
    files: createRootedSystemFiles(options.systemRoot ?? '/'),
    runner: createNodeProcessRunner(),
    os: nodeOsFacts(),
    paths: createNodePathInspector(),
    clock: options.clock ?? systemClock,
  };
}
