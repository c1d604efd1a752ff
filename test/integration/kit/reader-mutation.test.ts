// Random damage to a built kit — flipped, overwritten, inserted and deleted
// bytes, truncation — in the raw tar and in its gzip and zstd forms. The
// verifier must answer every time (bounded), only ever with an AirlockError,
// and must never accept a kit whose content changed.
//
// What "content changed" means, precisely: decompress the damaged file as far
// as it goes and compare it with the original tar stream. The content is
// unchanged when the two agree everywhere except
//   - the zero padding between an entry's data and the next 512-byte block
//     (not covered by any header or digest, and carries nothing),
//   - a header's checksum field spelled differently with the same value
//     (e.g. a leading space instead of a leading zero), and
//   - the end-of-archive area, provided the damaged stream still reaches it
//     and holds only zero bytes there, and
//   - the bytes of SHA256SUMS.sigstore.json (same size, same header). The
//     bundle is the signature, not signed content: a Sigstore bundle is not
//     signed as a whole, and fields outside the signature (the key hint, for
//     one) may change without changing what was signed. Acceptance still
//     means a valid signature by the pinned key over the unchanged SHA256SUMS.
// Anything else that the verifier accepts is a failure of this test. On
// acceptance the verifier's own report (SHA256SUMS digest and every file's
// path, size, digest and exec bit, the bundle's digest aside) must also equal
// the original's.
import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AirlockError } from '../../../shared/airlock-error.ts';
import { buildKit } from '../../../electron/core/kit/kit-builder.ts';
import { verifyKit, type KitFileRecord } from '../../../electron/core/kit/kit-verifier.ts';
import { loadSigningKey } from '../../../electron/core/trust/sign-blob.ts';
import { SignatureVerifier } from '../../../electron/core/trust/signature-verifier.ts';
import { resolveTrustPolicy, type ResolvedTrustPolicy } from '../../../electron/core/trust/trust-policy.ts';
import { writeKeyPair } from '../../helpers/sigstore-keys.ts';

const RUN_BOUND_MS = 15_000;
// A few hundred runs in all keep the suite fast; raise it locally to search harder.
const RUNS_PER_FORM = Number(process.env.AIRLOCK_MUTATION_RUNS ?? 100);

type Form = 'tar' | 'gzip' | 'zstd';
type Mutation =
  | { kind: 'flip'; at: number; xor: number }
  | { kind: 'overwrite'; at: number; bytes: Uint8Array }
  | { kind: 'insert'; at: number; bytes: Uint8Array }
  | { kind: 'delete'; at: number; length: number }
  | { kind: 'truncate'; at: number };

interface TarLayout {
  /** [start, end) of zero padding after each entry's data. */
  padding: Array<[number, number]>;
  /** Offsets of every header block. */
  headers: number[];
  /** Where the end-of-archive blocks begin. */
  eoaStart: number;
  /** [start, end) of the signature bundle's data. */
  bundle: [number, number];
}

let tmp: string;
let policy: ResolvedTrustPolicy;
let tar: Buffer;
let layout: TarLayout;
let forms: Record<Form, Buffer>;
let original: { sumsSha256: string; files: KitFileRecord[] };
let runIndex = 0;

function octalField(block: Buffer, at: number, length: number): number | undefined {
  let i = at;
  const end = at + length;
  while (i < end && block[i] === 0x20) i++;
  let value = 0;
  let digits = 0;
  for (; i < end && block[i] !== 0 && block[i] !== 0x20; i++) {
    const c = block[i]!;
    if (c < 0x30 || c > 0x37) return undefined;
    value = value * 8 + (c - 0x30);
    digits++;
  }
  for (; i < end; i++) if (block[i] !== 0 && block[i] !== 0x20) return undefined;
  return digits === 0 ? undefined : value;
}

function layoutOf(t: Buffer): TarLayout {
  const padding: Array<[number, number]> = [];
  const headers: number[] = [];
  let bundle: [number, number] = [0, 0];
  let off = 0;
  while (off + 512 <= t.length && !t.subarray(off, off + 512).every((b) => b === 0)) {
    headers.push(off);
    const size = octalField(t, off + 124, 12)!;
    const dataEnd = off + 512 + size;
    const next = off + 512 + Math.ceil(size / 512) * 512;
    if (next > dataEnd) padding.push([dataEnd, next]);
    if (t.toString('utf8', off, off + 100).replace(/\0.*$/s, '') === 'SHA256SUMS.sigstore.json') bundle = [off + 512, dataEnd];
    off = next;
  }
  return { padding, headers, eoaStart: off, bundle };
}

/** The rule in the header comment of this file. */
function contentUnchanged(damaged: Buffer): boolean {
  if (damaged.length < layout.eoaStart) return false;
  for (let i = layout.eoaStart; i < damaged.length; i++) if (damaged[i] !== 0) return false;
  const checksumOk = new Map<number, boolean>();
  for (let i = 0; i < layout.eoaStart; i++) {
    if (damaged[i] === tar[i]) continue;
    if (layout.padding.some(([s, e]) => i >= s && i < e)) continue;
    if (i >= layout.bundle[0] && i < layout.bundle[1]) continue;
    const header = layout.headers.find((h) => i >= h + 148 && i < h + 156);
    if (header !== undefined) {
      if (!checksumOk.has(header)) {
        const a = octalField(damaged, header + 148, 8);
        checksumOk.set(header, a !== undefined && a === octalField(tar, header + 148, 8));
      }
      if (checksumOk.get(header)) continue;
    }
    return false;
  }
  return true;
}

/** Decompresses as far as the damaged stream allows. */
function decompressAsFarAsPossible(bytes: Buffer, form: Form): Promise<Buffer> {
  if (form === 'tar') return Promise.resolve(bytes);
  const stream = form === 'gzip' ? zlib.createGunzip({ finishFlush: zlib.constants.Z_SYNC_FLUSH }) : zlib.createZstdDecompress();
  const chunks: Buffer[] = [];
  return new Promise((resolve) => {
    stream.on('data', (c: Buffer) => chunks.push(c));
    stream.on('error', () => resolve(Buffer.concat(chunks)));
    stream.on('end', () => resolve(Buffer.concat(chunks)));
    stream.end(bytes);
  });
}

function applyMutation(buf: Buffer, m: Mutation): Buffer {
  const at = m.at % Math.max(1, buf.length);
  switch (m.kind) {
    case 'flip': {
      const out = Buffer.from(buf);
      out[at] = out[at]! ^ m.xor;
      return out;
    }
    case 'overwrite': {
      const out = Buffer.from(buf);
      Buffer.from(m.bytes).copy(out, at, 0, Math.min(m.bytes.length, out.length - at));
      return out;
    }
    case 'insert':
      return Buffer.concat([buf.subarray(0, at), Buffer.from(m.bytes), buf.subarray(at)]);
    case 'delete':
      return Buffer.concat([buf.subarray(0, at), buf.subarray(Math.min(buf.length, at + m.length))]);
    case 'truncate':
      return buf.subarray(0, at);
  }
}

const mutationArb: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), xor: fc.integer({ min: 1, max: 255 }) }),
  fc.record({ kind: fc.constant('overwrite' as const), at: fc.nat(), bytes: fc.uint8Array({ minLength: 1, maxLength: 64 }) }),
  fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), bytes: fc.uint8Array({ minLength: 1, maxLength: 1100 }) }),
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), length: fc.integer({ min: 1, max: 2048 }) }),
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
);

type Outcome = { ok: true; sumsSha256: string; files: KitFileRecord[] } | { ok: false; error: unknown };

/** One bounded verification: a hang shows up as a timeout, not as a stuck test run. */
async function verifyBytes(bytes: Buffer): Promise<Outcome> {
  const file = path.join(tmp, `m${++runIndex % 4}.kit`);
  await fs.writeFile(file, bytes);
  const abort = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      abort.abort();
      reject(new Error(`verifyKit did not answer within ${RUN_BOUND_MS} ms`));
    }, RUN_BOUND_MS);
  });
  try {
    const r = await Promise.race([verifyKit(file, { signature: new SignatureVerifier(policy), signal: abort.signal }), timeout]);
    return { ok: true, sumsSha256: r.summary.sumsSha256, files: r.files };
  } catch (error) {
    if (error instanceof Error && error.message.startsWith('verifyKit did not answer')) throw error;
    return { ok: false, error };
  } finally {
    clearTimeout(timer);
  }
}

function expectSameReport(outcome: Outcome): void {
  expect(outcome.ok).toBe(true);
  if (!outcome.ok) return;
  expect(outcome.sumsSha256).toBe(original.sumsSha256);
  const withoutBundleDigest = (files: KitFileRecord[]): unknown[] => files.map((f) => (f.path === 'SHA256SUMS.sigstore.json' ? { ...f, sha256: '(signature)' } : f));
  expect(withoutBundleDigest(outcome.files)).toEqual(withoutBundleDigest(original.files));
}

function expectRefusedWith(outcome: Outcome, codes: string[]): void {
  expect(outcome.ok).toBe(false);
  if (outcome.ok) return;
  expect(outcome.error).toBeInstanceOf(AirlockError);
  expect(codes).toContain((outcome.error as AirlockError).code);
}

beforeAll(async () => {
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'airlock-mutate-'));
  const input = path.join(tmp, 'in');
  const files: Record<string, string | Buffer> = {
    'kit.json': JSON.stringify({ schema: 'airlock.kit/v1', name: 'mut', version: '1.0.0', created: '2026-04-01T00:00:00Z' }),
    'payload/bin/run': '#!/bin/sh\nexit 0\n',
    'payload/empty': '',
    'payload/block': Buffer.alloc(512, 0x61),
    'payload/na\u00efve/r\u00e9sum\u00e9.txt': 'pax path\n',
    'payload/data': Buffer.from(Array.from({ length: 1500 }, (_, i) => (i * 37) % 256)),
  };
  for (const [rel, data] of Object.entries(files)) {
    await fs.mkdir(path.join(input, path.dirname(rel)), { recursive: true });
    await fs.writeFile(path.join(input, rel), data);
  }
  await fs.chmod(path.join(input, 'payload/bin/run'), 0o755);
  const keys = await writeKeyPair(tmp, 'k');
  policy = await resolveTrustPolicy({ keyFiles: [keys.publicPath] });
  const built = await buildKit({
    dir: input,
    out: path.join(tmp, 'mut.kit.tar'),
    signingKey: loadSigningKey(await fs.readFile(keys.privatePath, 'utf8'), keys.privatePath),
    compress: 'none',
  });
  tar = await fs.readFile(built.kitPath);
  layout = layoutOf(tar);
  forms = {
    tar,
    gzip: zlib.gzipSync(tar, { level: 6 }),
    zstd: zlib.zstdCompressSync(tar, { params: { [zlib.constants.ZSTD_c_checksumFlag]: 1 } }),
  };
  const first = await verifyBytes(tar);
  if (!first.ok) throw first.error;
  original = { sumsSha256: first.sumsSha256, files: first.files };
  expect(createHash('sha256').update(tar).digest('hex')).toBe(built.archiveSha256);
});

afterAll(async () => {
  await fs.rm(tmp, { recursive: true, force: true });
});

describe('decided cases: damage that leaves the content as it was', () => {
  it('the test kit has padding, a pax header and an end-of-archive area to damage', () => {
    expect(layout.padding.length).toBeGreaterThan(3);
    expect(tar.subarray(0, 1).toString()).toBe('S');
    expect(layout.headers.length).toBe(9); // 8 files + the pax header of the non-ASCII path
    expect(layout.bundle).toEqual([512, 512 + octalField(tar, 124, 12)!]);
    expect(tar.length - layout.eoaStart).toBe(1024);
    for (const form of ['gzip', 'zstd'] as const) expect(zlib[form === 'gzip' ? 'gunzipSync' : 'zstdDecompressSync'](forms[form]).equals(tar)).toBe(true);
  });

  it('accepts non-zero bytes in the padding after entry data and reports the identical kit', async () => {
    const damaged = Buffer.from(tar);
    for (const [start, end] of layout.padding) damaged.fill(0x5a, start, end);
    expect(contentUnchanged(damaged)).toBe(true);
    expectSameReport(await verifyBytes(damaged));
  });

  it('accepts a checksum written with a leading space instead of a leading zero', async () => {
    const damaged = Buffer.from(tar);
    const h = layout.headers[1]!;
    expect(damaged[h + 148]).toBe(0x30);
    damaged[h + 148] = 0x20;
    expect(contentUnchanged(damaged)).toBe(true);
    expectSameReport(await verifyBytes(damaged));
  });

  it('accepts a bundle whose unsigned key hint was changed: the pinned key still verifies the same SHA256SUMS', async () => {
    const damaged = Buffer.from(tar);
    const bundleText = damaged.toString('utf8', layout.bundle[0], layout.bundle[1]);
    const hint = /"hint": "([^"]+)"/.exec(bundleText)![1]!;
    const at = layout.bundle[0] + Buffer.byteLength(bundleText.slice(0, bundleText.indexOf(hint)));
    damaged[at] = damaged[at] === 0x41 ? 0x42 : 0x41;
    expect(contentUnchanged(damaged)).toBe(true);
    expectSameReport(await verifyBytes(damaged));
  });

  it('accepts extra zero blocks after the end-of-archive marker, but refuses non-zero bytes in or after it', async () => {
    expectSameReport(await verifyBytes(Buffer.concat([tar, Buffer.alloc(4096)])));
    const inMarker = Buffer.from(tar);
    inMarker[layout.eoaStart + 700] = 1;
    expectRefusedWith(await verifyBytes(inMarker), ['KIT_FORMAT', 'KIT_TRUNCATED']);
    expectRefusedWith(await verifyBytes(Buffer.concat([tar, Buffer.from('trailing bytes')])), ['KIT_FORMAT', 'KIT_TRUNCATED']);
  });

  it('refuses an archive cut before its end-of-archive marker, though every file is complete', async () => {
    expectRefusedWith(await verifyBytes(tar.subarray(0, layout.eoaStart)), ['KIT_TRUNCATED']);
  });
});

describe('random damage', () => {
  for (const form of ['tar', 'gzip', 'zstd'] as const) {
    it(`never crashes, never hangs and never accepts a changed kit (${form})`, async () => {
      await fc.assert(
        fc.asyncProperty(fc.array(mutationArb, { minLength: 1, maxLength: 3 }), async (mutations) => {
          const damaged = mutations.reduce(applyMutation, forms[form]);
          fc.pre(!damaged.equals(forms[form]));
          const outcome = await verifyBytes(damaged);
          if (!outcome.ok) {
            expect(outcome.error).toBeInstanceOf(AirlockError);
            expect((outcome.error as AirlockError).code).not.toBe('INTERNAL');
            return;
          }
          const content = await decompressAsFarAsPossible(damaged, form);
          expect(contentUnchanged(content), `accepted a changed kit after ${JSON.stringify(mutations.map((m) => ({ ...m, bytes: undefined })))}`).toBe(true);
          expectSameReport(outcome);
        }),
        { numRuns: RUNS_PER_FORM },
      );
    }, 240_000);
  }
});
