// Starts Debian's `docker-registry` (distribution 2.8) on 127.0.0.1 for push
// tests and the benchmark: a temp config and storage dir, a free port, a
// bounded wait for readiness, and a stop that always kills the process and
// removes the directory.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

export const DOCKER_REGISTRY_BIN = process.env.AIRLOCK_TEST_DOCKER_REGISTRY ?? '/usr/bin/docker-registry';

export interface DockerRegistryOptions {
  /** htpasswd file contents (bcrypt hashes); turns on basic auth. */
  htpasswd?: string;
  /** PEM certificate and key files: serve HTTPS instead of plain HTTP. */
  tls?: { certFile: string; keyFile: string };
  /** How long to wait for /v2/ to answer; default 15 s. */
  readyTimeoutMs?: number;
}

export interface RunningDockerRegistry {
  /** "127.0.0.1:PORT", the value for --to. */
  host: string;
  port: number;
  /** The registry's filesystem storage root. */
  storageDir: string;
  /** Everything the registry printed, for failure messages. */
  log(): string;
  /** Kills the registry (SIGTERM, then SIGKILL after 3 s) and removes its files. Safe to call twice. */
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  return await new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

function configYaml(storageDir: string, port: number, htpasswdPath: string | null, tls: DockerRegistryOptions['tls']): string {
  const lines = [
    'version: 0.1',
    'log:',
    '  level: error',
    '  accesslog:',
    '    disabled: true',
    'storage:',
    '  filesystem:',
    `    rootdirectory: ${JSON.stringify(storageDir)}`,
    '  delete:',
    '    enabled: true',
    '  redirect:',
    '    disable: true',
    'http:',
    `  addr: 127.0.0.1:${port}`,
    '  secret: airlock-test-only-secret',
  ];
  if (tls) lines.push('  tls:', `    certificate: ${JSON.stringify(tls.certFile)}`, `    key: ${JSON.stringify(tls.keyFile)}`);
  if (htpasswdPath) lines.push('auth:', '  htpasswd:', '    realm: airlock-test', `    path: ${JSON.stringify(htpasswdPath)}`);
  return lines.join('\n') + '\n';
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port, timeout: 1000 });
    const done = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
    socket.once('timeout', () => done(false));
  });
}

async function waitExit(child: ChildProcess, ms: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return true;
  return await new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), ms);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

async function startOnce(opts: DockerRegistryOptions): Promise<RunningDockerRegistry> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'airlock-docker-registry-'));
  const storageDir = path.join(dir, 'storage');
  await fs.mkdir(storageDir);
  let htpasswdPath: string | null = null;
  if (opts.htpasswd !== undefined) {
    htpasswdPath = path.join(dir, 'htpasswd');
    await fs.writeFile(htpasswdPath, opts.htpasswd);
  }
  const port = await freePort();
  const configPath = path.join(dir, 'config.yml');
  await fs.writeFile(configPath, configYaml(storageDir, port, htpasswdPath, opts.tls));

  let output = '';
  const child = spawn(DOCKER_REGISTRY_BIN, ['serve', configPath], { stdio: ['ignore', 'pipe', 'pipe'] });
  const keep = (chunk: Buffer): void => {
    output = (output + chunk.toString('utf8')).slice(-20_000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  let spawnError: Error | null = null;
  child.once('error', (error) => {
    spawnError = error;
  });

  let stopped = false;
  const stop = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      if (!(await waitExit(child, 3000))) {
        child.kill('SIGKILL');
        await waitExit(child, 3000);
      }
    }
    await fs.rm(dir, { recursive: true, force: true });
  };

  const deadline = Date.now() + (opts.readyTimeoutMs ?? 15_000);
  try {
    for (;;) {
      if (spawnError) throw new Error(`cannot start ${DOCKER_REGISTRY_BIN}: ${(spawnError as Error).message}`);
      if (child.exitCode !== null || child.signalCode !== null) {
        throw new Error(`${DOCKER_REGISTRY_BIN} exited (${child.exitCode ?? child.signalCode}) before it was ready:\n${output}`);
      }
      if (opts.tls) {
        // The test's CA is not trusted by this process: a TCP accept is the readiness signal.
        if (await accepts(port)) break;
      } else {
        try {
          const res = await fetch(`http://127.0.0.1:${port}/v2/`, { signal: AbortSignal.timeout(1000) });
          await res.body?.cancel();
          // 401 means it is up and asking for the configured basic auth.
          if (res.status === 200 || res.status === 401) break;
        } catch {
          // Not listening yet.
        }
      }
      if (Date.now() > deadline) throw new Error(`${DOCKER_REGISTRY_BIN} did not answer on 127.0.0.1:${port} in time:\n${output}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  } catch (error) {
    await stop();
    throw error;
  }
  return { host: `127.0.0.1:${port}`, port, storageDir, log: () => output, stop };
}

/**
 * Starts a registry. The port is picked free just before the start, so a rare
 * race with another process can lose it; that case is retried twice.
 */
export async function startDockerRegistry(opts: DockerRegistryOptions = {}): Promise<RunningDockerRegistry> {
  let last: unknown;
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      return await startOnce(opts);
    } catch (error) {
      last = error;
      if (!/address already in use/i.test(String((error as Error).message))) break;
    }
  }
  throw last;
}
