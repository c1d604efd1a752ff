// A child process for the crash and race tests: runs one import with a hook
// that SIGKILLs this process at the Nth pass of a named point, or holds it
// there for a while (so another process can try to import meanwhile).
// Usage: node import-child.ts '<json options>'
import { resolveTrustPolicy } from '../../../electron/core/trust/trust-policy.ts';
import { SignatureVerifier } from '../../../electron/core/trust/signature-verifier.ts';
import { Registry } from '../../../electron/core/registry/registry.ts';
import type { CrashPoint } from '../../../electron/core/registry/store-fs.ts';
import { toErrorPayload } from '../../../shared/airlock-error.ts';

interface ChildOptions {
  dataDir: string;
  kit: string;
  publicKey: string;
  killAt?: { point: CrashPoint; nth: number };
  holdAt?: { point: CrashPoint; ms: number };
  waitSeconds?: number;
}

const opts = JSON.parse(process.argv[2]!) as ChildOptions;
const seen = new Map<string, number>();
const crash = (point: CrashPoint): void => {
  const count = (seen.get(point) ?? 0) + 1;
  seen.set(point, count);
  if (opts.killAt && opts.killAt.point === point && opts.killAt.nth === count) process.kill(process.pid, 'SIGKILL');
  if (opts.holdAt && opts.holdAt.point === point && count === 1) {
    process.stderr.write(`HOLDING ${point}\n`);
    // A synchronous sleep: the hook runs inside the import, which must not move on.
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, opts.holdAt.ms);
  }
};

try {
  const signature = new SignatureVerifier(await resolveTrustPolicy({ keyFiles: [opts.publicKey] }));
  const registry = await Registry.open(opts.dataDir, { crash });
  try {
    const result = await registry.import(opts.kit, { signature, waitSeconds: opts.waitSeconds ?? 0, command: 'import-child' });
    process.stdout.write(JSON.stringify({ ok: true, result, points: Object.fromEntries(seen) }) + '\n');
  } finally {
    registry.close();
  }
} catch (error) {
  process.stdout.write(JSON.stringify({ ok: false, error: toErrorPayload(error), points: Object.fromEntries(seen) }) + '\n');
  process.exitCode = 1;
}
