import { readdirSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AirlockError } from '../../../shared/airlock-error.ts';
import type { ProgressEvent } from '../../../shared/progress.ts';
import { readKitManifest, verifyKit, type KitFileSink, type VerifyKitOptions } from '../../../electron/core/kit/kit-verifier.ts';
import {
  FAKE_VERDICT,
  FakeSignatureChecker,
  MALFORMED_SUMS,
  TarBuilder,
  baseManifest,
  fakeBundle,
  gzip,
  kitTar,
  makeKitFiles,
  makeOciLayout,
  replaceFile,
  sha256Hex,
  tarHeader,
  writeKitDir,
  writeSplitKit,
  zstd,
  type KitFile,
} from '../../helpers/tar-fixtures.ts';

let dir: string;
let n = 0;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'airlock-verify-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function put(bytes: Uint8Array, name = `kit-${++n}.tar`): Promise<string> {
  const p = path.join(dir, name);
  await writeFile(p, bytes);
  return p;
}

const check = (extra: Partial<VerifyKitOptions> = {}): VerifyKitOptions => ({ signature: new FakeSignatureChecker(), ...extra });

async function refusal(kitPath: string, opts: Partial<VerifyKitOptions> = {}): Promise<AirlockError> {
  try {
    await verifyKit(kitPath, check(opts));
  } catch (error) {
    expect(error).toBeInstanceOf(AirlockError);
    return error as AirlockError;
  }
  throw new Error(`${kitPath} was accepted`);
}

/** Builder order with the root files moved to the end. */
function shuffled(files: KitFile[]): KitFile[] {
  return [...files.slice(3).reverse(), files[2]!, files[1]!, files[0]!];
}

const PAYLOAD = { 'payload/bin/app': '#!/bin/sh\necho app\n', 'payload/etc/app.conf': 'port=8080\n', 'payload/empty': '', 'docs/notes.md': '# Notes\n' };

describe('good kits in every container form', () => {
  const files = () => makeKitFiles({ files: PAYLOAD, modes: { 'payload/bin/app': 0o755 }, manifest: baseManifest({ releaseNotes: 'docs/notes.md', channel: 'lts', publisher: 'Example Corp' }) });

  async function expectGood(kitPath: string, container: Record<string, unknown>, singlePass = true) {
    const checker = new FakeSignatureChecker();
    const { summary, files: records } = await verifyKit(kitPath, { signature: checker });
    expect(checker.calls).toBe(1);
    expect(summary).toMatchObject({
      name: 'hello',
      version: '1.0.0',
      channel: 'lts',
      created: '2026-01-31T12:00:00Z',
      publisher: 'Example Corp',
      signature: FAKE_VERDICT,
      container,
      fileCount: 7,
      images: [],
      singlePass,
    });
    const sums = files().find((f) => f.path === 'SHA256SUMS')!.body;
    expect(summary.sumsSha256).toBe(sha256Hex(sums));
    expect(summary.totalBytes).toBe(files().reduce((t, f) => t + f.body.length, 0));
    expect(records.map((r) => r.path)).toEqual(['SHA256SUMS', 'SHA256SUMS.sigstore.json', 'docs/notes.md', 'kit.json', 'payload/bin/app', 'payload/empty', 'payload/etc/app.conf']);
    for (const f of files()) expect(records.find((r) => r.path === f.path)).toEqual({ path: f.path, sha256: sha256Hex(f.body), size: f.body.length, executable: f.path === 'payload/bin/app' });
  }

  it('plain ustar tar', async () => {
    const tar = kitTar(files());
    await expectGood(await put(tar), { kind: 'archive', compression: 'none', parts: null, bytesRead: tar.length });
  });

  it('tar with directory records and "./" prefixes, as `tar -C dir .` writes', async () => {
    await expectGood(await put(kitTar(files(), { dirRecords: true, dotSlash: true })), { kind: 'archive', compression: 'none' });
  });

  it.each(['pax', 'gnu'] as const)('tar with %s long names', async (pathStyle) => {
    const long = `payload/${'deep/'.repeat(20)}${'n'.repeat(60)}.txt`;
    const kit = makeKitFiles({ files: { [long]: 'long name' } });
    const { files: records } = await verifyKit(await put(kitTar(kit, { pathStyle })), check());
    expect(records.map((r) => r.path)).toContain(long);
  });

  it('gzip, detected from magic bytes whatever the file name', async () => {
    const gz = gzip(kitTar(files()));
    await expectGood(await put(gz, 'misnamed.kit.tar.zst'), { kind: 'archive', compression: 'gzip', parts: null, bytesRead: gz.length });
  });

  it('zstd, detected from magic bytes whatever the file name', async () => {
    const zs = zstd(kitTar(files()));
    await expectGood(await put(zs, 'misnamed.kit.tar'), { kind: 'archive', compression: 'zstd', parts: null, bytesRead: zs.length });
  });

  it('split kit given its parts index', async () => {
    const tar = kitTar(files());
    const split = await writeSplitKit(path.join(dir, `split-${++n}`), 'hello-1.0.0.kit.tar', tar, 3000);
    await expectGood(split.indexPath, { kind: 'archive', compression: 'none', parts: split.partPaths.length, bytesRead: tar.length });
  });

  it('split kit given any one part', async () => {
    const tar = kitTar(files());
    const split = await writeSplitKit(path.join(dir, `split-${++n}`), 'hello-1.0.0.kit.tar', tar, 3000);
    for (const part of [split.partPaths[0]!, split.partPaths.at(-1)!]) {
      await expectGood(part, { kind: 'archive', parts: split.partPaths.length });
    }
  });

  it('split gzip kit given a part without an index', async () => {
    const gz = gzip(kitTar(files()));
    const split = await writeSplitKit(path.join(dir, `split-${++n}`), 'hello-1.0.0.kit.tar.gz', gz, 500, { index: false });
    await expectGood(split.partPaths[1]!, { kind: 'archive', compression: 'gzip', parts: split.partPaths.length });
  });

  it('unpacked directory', async () => {
    const root = await writeKitDir(path.join(dir, `unpacked-${++n}`), files());
    await expectGood(root, { kind: 'directory', compression: 'none', parts: null });
  });

  it('root files last: accepted, checked at the end (singlePass false)', async () => {
    await expectGood(await put(kitTar(shuffled(files()))), { kind: 'archive' }, false);
  });

  it('kit.json before the signature files still counts as a single pass', async () => {
    const f = files();
    await expectGood(await put(kitTar([f[2]!, f[1]!, f[0]!, ...f.slice(3)])), { kind: 'archive' }, true);
  });
});

describe('SHA256SUMS (KIT-FORMAT §3)', () => {
  it.each([
    ['builder order', (f: KitFile[]) => f],
    ['shuffled order', shuffled],
  ])('KIT_DIGEST_MISMATCH names the changed file (%s)', async (_name, order) => {
    const files = replaceFile(makeKitFiles({ files: PAYLOAD }), 'payload/etc/app.conf', 'port=6666\n');
    const error = await refusal(await put(kitTar(order(files))));
    expect([error.code, error.path]).toEqual(['KIT_DIGEST_MISMATCH', 'payload/etc/app.conf']);
    expect(error.details).toEqual({ expected: sha256Hex('port=8080\n'), actual: sha256Hex('port=6666\n') });
  });

  it.each([
    ['builder order', (f: KitFile[]) => f],
    ['shuffled order', shuffled],
  ])('KIT_UNLISTED_FILE names the extra file (%s)', async (_name, order) => {
    const files = makeKitFiles({ files: PAYLOAD, unlisted: ['payload/etc/app.conf'] });
    const error = await refusal(await put(kitTar(order(files))));
    expect([error.code, error.path]).toEqual(['KIT_UNLISTED_FILE', 'payload/etc/app.conf']);
  });

  it('KIT_UNLISTED_FILE when kit.json itself is not listed', async () => {
    const error = await refusal(await put(kitTar(makeKitFiles({ unlisted: ['kit.json'] }))));
    expect([error.code, error.path]).toEqual(['KIT_UNLISTED_FILE', 'kit.json']);
  });

  it('KIT_MISSING_FILE names the absent file', async () => {
    const files = makeKitFiles({ files: PAYLOAD }).filter((f) => f.path !== 'payload/bin/app');
    const error = await refusal(await put(kitTar(files)));
    expect([error.code, error.path]).toEqual(['KIT_MISSING_FILE', 'payload/bin/app']);
  });

  it('KIT_MISSING_FILE for a listed kit.json that is absent', async () => {
    const files = makeKitFiles().filter((f) => f.path !== 'kit.json');
    const error = await refusal(await put(kitTar(files)));
    expect([error.code, error.path]).toEqual(['KIT_MISSING_FILE', 'kit.json']);
  });

  it('KIT_MISSING_FILE for a signature without SHA256SUMS', async () => {
    const files = makeKitFiles().filter((f) => f.path !== 'SHA256SUMS');
    const error = await refusal(await put(kitTar(files)));
    expect([error.code, error.path]).toEqual(['KIT_MISSING_FILE', 'SHA256SUMS']);
  });

  it.each(MALFORMED_SUMS)('KIT_SUMS_MALFORMED for %s (signed)', async (_name, text, line) => {
    const error = await refusal(await put(kitTar(makeKitFiles({ sums: text }))));
    expect(error.code).toBe('KIT_SUMS_MALFORMED');
    expect(error.details).toEqual({ line });
  });

  it('KIT_SUMS_MALFORMED for a SHA256SUMS over 64 MiB, without reading it', async () => {
    const t = new TarBuilder().file('SHA256SUMS.sigstore.json', 'x').raw(tarHeader({ name: 'SHA256SUMS', size: 64 * 1024 * 1024 + 1 }));
    const error = await refusal(await put(t.toBuffer({ zeroBlocks: 0 })));
    expect([error.code, error.path]).toEqual(['KIT_SUMS_MALFORMED', 'SHA256SUMS']);
  });
});

describe('signature (KIT-FORMAT §4)', () => {
  it('KIT_UNSIGNED without a bundle, in any order', async () => {
    for (const files of [makeKitFiles({ unsigned: true }), makeKitFiles({ unsigned: true }).reverse()]) {
      const error = await refusal(await put(kitTar(files)));
      expect([error.code, error.path]).toEqual(['KIT_UNSIGNED', 'SHA256SUMS.sigstore.json']);
    }
  });

  it('passes the signature checker\'s error through unchanged', async () => {
    const files = makeKitFiles({ bundle: fakeBundle(Buffer.from('other sums')) });
    const error = await refusal(await put(kitTar(files)));
    expect(error.code).toBe('SIG_INVALID');
    const untrusted = new AirlockError('SIG_UNTRUSTED', 'signed by a stranger');
    const e2 = await refusal(await put(kitTar(makeKitFiles())), {
      signature: {
        verifyKitSums: async () => {
          throw untrusted;
        },
      },
    });
    expect(e2).toBe(untrusted);
  });

  it('SIG_INVALID when SHA256SUMS was changed after signing', async () => {
    const files = makeKitFiles();
    const sums = files[1]!.body.toString().replace(/^./, (c) => (c === 'a' ? 'b' : 'a'));
    const error = await refusal(await put(kitTar(replaceFile(files, 'SHA256SUMS', sums))));
    expect(error.code).toBe('SIG_INVALID');
  });

  it('BUNDLE_INVALID for a bundle over 16 MiB, without reading it', async () => {
    const t = new TarBuilder().raw(tarHeader({ name: 'SHA256SUMS.sigstore.json', size: 16 * 1024 * 1024 + 1 }));
    const error = await refusal(await put(t.toBuffer({ zeroBlocks: 0 })));
    expect([error.code, error.path]).toEqual(['BUNDLE_INVALID', 'SHA256SUMS.sigstore.json']);
  });

  it('checks the signature before hashing any other file when the root files come first', async () => {
    const order: string[] = [];
    const checker = new FakeSignatureChecker();
    await verifyKit(await put(kitTar(makeKitFiles({ files: PAYLOAD }))), {
      signature: {
        verifyKitSums: (b, s) => {
          order.push('signature');
          return checker.verifyKitSums(b, s);
        },
      },
      openSink: (f) => {
        order.push(`open ${f.path}`);
        return undefined;
      },
    });
    expect(order.slice(0, 4)).toEqual(['open SHA256SUMS.sigstore.json', 'open SHA256SUMS', 'signature', 'open kit.json']);
  });

  it('never parses kit.json before the signature passed', async () => {
    const files = makeKitFiles({ manifest: '{ this is not json' });
    const bad = replaceFile(files, 'SHA256SUMS.sigstore.json', fakeBundle(Buffer.from('forged')));
    const kitJsonFirst = [bad[2]!, bad[0]!, bad[1]!, ...bad.slice(3)];
    expect((await refusal(await put(kitTar(kitJsonFirst)))).code).toBe('SIG_INVALID');
    expect((await refusal(await put(kitTar(files)))).code).toBe('KIT_MANIFEST_INVALID');
  });
});

describe('kit.json (KIT-FORMAT §5)', () => {
  it('KIT_SCHEMA for an unknown major version', async () => {
    const error = await refusal(await put(kitTar(makeKitFiles({ manifest: baseManifest({ schema: 'airlock.kit/v2' }) }))));
    expect([error.code, error.field, error.path]).toEqual(['KIT_SCHEMA', 'schema', 'kit.json']);
  });

  it.each([
    ['name', baseManifest({ name: 'Not A Name' }), {}],
    ['version', baseManifest({ version: '1.0' }), {}],
    ['requires.arch[0]', baseManifest({ requires: { arch: ['sparc'] } }), {}],
    ['releaseNotes', baseManifest({ releaseNotes: 'docs/missing.md' }), {}],
    ['payload', baseManifest({ payload: 'app/' }), {}],
    ['sboms[0].path', baseManifest({ sboms: [{ path: 'sbom/none.json', format: 'spdx-json' }] }), {}],
    [
      'migrations[1].path',
      baseManifest({
        databases: [{ id: 'main', engine: 'sqlite', path: 'data/main.db' }],
        migrations: [
          { id: '0001_init', database: 'main', path: 'migrations/0001_init.sql' },
          { id: '0002_next', database: 'main', path: 'migrations/0002_next.sql' },
        ],
      }),
      { 'migrations/0001_init.sql': 'CREATE TABLE t (x);\n' },
    ],
    ['databases[0].path', baseManifest({ databases: [{ id: 'main', engine: 'sqlite', path: '/var/lib/x.db' }] }), {}],
  ])('KIT_MANIFEST_INVALID naming "%s"', async (field, manifest, files) => {
    const error = await refusal(await put(kitTar(makeKitFiles({ manifest, files: { 'payload/x': 'x', ...files } }))));
    expect([error.code, error.field, error.path]).toEqual(['KIT_MANIFEST_INVALID', field, 'kit.json']);
  });

  it('KIT_MANIFEST_INVALID for a kit.json over 1 MiB', async () => {
    const error = await refusal(await put(kitTar(makeKitFiles({ manifest: baseManifest({ description: 'x'.repeat(1024 * 1024) }) }))));
    expect([error.code, error.path]).toEqual(['KIT_MANIFEST_INVALID', 'kit.json']);
  });

  it('accepts a kit whose payload, migrations and notes are present, and keeps unknown fields', async () => {
    const manifest = baseManifest({
      payload: 'app/',
      databases: [{ id: 'main', engine: 'sqlite', path: 'data/main.db' }],
      migrations: [{ id: '0001_init', database: 'main', path: 'migrations/0001_init.sql' }],
      futureField: [1, 2, 3],
    });
    const { summary } = await verifyKit(await put(kitTar(makeKitFiles({ manifest, files: { 'app/x': 'x', 'migrations/0001_init.sql': 'CREATE TABLE t (x);\n' } }))), check());
    expect(summary.manifest).toMatchObject({ payload: 'app/', futureField: [1, 2, 3] });
  });
});

describe('OCI images (KIT-FORMAT §6)', () => {
  it('verifies a layout with a nested multi-platform index and lists its tagged images', async () => {
    const layout = makeOciLayout();
    const { summary } = await verifyKit(await put(kitTar(makeKitFiles({ files: { ...layout.files, 'payload/x': 'x' } }))), check());
    expect(summary.images).toEqual([
      { ref: 'registry.example/app/api:1.2.3', digest: layout.manifestDigest, mediaType: 'application/vnd.oci.image.manifest.v1+json' },
      { ref: 'registry.example/app/multi:2.0.0', digest: layout.nestedIndexDigest, mediaType: 'application/vnd.oci.image.index.v1+json' },
    ]);
  });

  it('finds the layout under the prefix kit.json names, in any order', async () => {
    const layout = makeOciLayout('oci/');
    const files = makeKitFiles({ manifest: baseManifest({ images: 'oci/' }), files: layout.files });
    for (const kit of [files, shuffled(files)]) {
      const { summary } = await verifyKit(await put(kitTar(kit)), check());
      expect(summary.images.map((i) => i.ref)).toEqual(['registry.example/app/api:1.2.3', 'registry.example/app/multi:2.0.0']);
    }
  });

  it('OCI_BLOB_DIGEST when a signed blob does not match its name', async () => {
    const layout = makeOciLayout();
    const error = await refusal(await put(kitTar(makeKitFiles({ files: { ...layout.files, [layout.layerPath]: 'not the layer' } }))));
    expect([error.code, error.path]).toEqual(['OCI_BLOB_DIGEST', layout.layerPath]);
  });

  it('OCI_BLOB_MISSING when a manifest names a blob the kit lacks', async () => {
    const layout = makeOciLayout();
    const files = { ...layout.files };
    delete files[layout.configPath];
    const error = await refusal(await put(kitTar(makeKitFiles({ files }))));
    expect([error.code, error.path]).toEqual(['OCI_BLOB_MISSING', layout.configPath]);
  });

  it('OCI_LAYOUT_INVALID when kit.json names images but the layout is broken', async () => {
    const layout = makeOciLayout();
    const error = await refusal(await put(kitTar(makeKitFiles({ files: { ...layout.files, 'images/oci-layout': '{"imageLayoutVersion":"9"}' } }))));
    expect([error.code, error.path]).toEqual(['OCI_LAYOUT_INVALID', 'images/oci-layout']);
  });
});

describe('openSink', () => {
  interface Event {
    kind: 'open' | 'write' | 'end' | 'abort';
    path: string;
    bytes?: number;
    sha256?: string;
  }

  function recorder(events: Event[], hooks: { onWrite?: (path: string) => void } = {}) {
    const sinks = new Map<string, Buffer[]>();
    return {
      sinks,
      openSink(file: { path: string; size: number; executable: boolean }): KitFileSink {
        events.push({ kind: 'open', path: file.path });
        const parts: Buffer[] = [];
        sinks.set(file.path, parts);
        return {
          write(chunk) {
            parts.push(Buffer.from(chunk));
            events.push({ kind: 'write', path: file.path, bytes: chunk.length });
            hooks.onWrite?.(file.path);
          },
          async end(result) {
            await new Promise((r) => setTimeout(r, 1));
            events.push({ kind: 'end', path: file.path, sha256: result.sha256, bytes: result.size });
          },
          abort() {
            events.push({ kind: 'abort', path: file.path });
          },
        };
      },
    };
  }

  const settled = (events: Event[]) => {
    const opened = events.filter((e) => e.kind === 'open').map((e) => e.path);
    const closed = events.filter((e) => e.kind === 'end' || e.kind === 'abort').map((e) => e.path);
    return [opened.sort(), closed.sort()];
  };

  it('gets every byte and end() right after each file matched, before the next file is read', async () => {
    const events: Event[] = [];
    const rec = recorder(events);
    const files = makeKitFiles({ files: PAYLOAD });
    await verifyKit(await put(kitTar(files)), check({ openSink: rec.openSink }));
    for (const f of files) {
      expect(Buffer.concat(rec.sinks.get(f.path)!)).toEqual(f.body);
      expect(events).toContainEqual({ kind: 'end', path: f.path, sha256: sha256Hex(f.body), bytes: f.body.length });
    }
    const endApp = events.findIndex((e) => e.kind === 'end' && e.path === 'payload/bin/app');
    const openNext = events.findIndex((e) => e.kind === 'open' && e.path === 'payload/empty');
    expect(endApp).toBeGreaterThan(-1);
    expect(endApp).toBeLessThan(openNext);
    expect(events.some((e) => e.kind === 'abort')).toBe(false);
  });

  it('defers end() until the signature is checked when the root files come last', async () => {
    const events: Event[] = [];
    const files = makeKitFiles({ files: PAYLOAD });
    await verifyKit(await put(kitTar(shuffled(files))), check({ openSink: recorder(events).openSink }));
    const firstEnd = events.findIndex((e) => e.kind === 'end');
    const openBundle = events.findIndex((e) => e.kind === 'open' && e.path === 'SHA256SUMS.sigstore.json');
    expect(firstEnd).toBeGreaterThan(openBundle);
    const [opened, closed] = settled(events);
    expect(closed).toEqual(opened);
  });

  it('aborts the damaged file\'s sink and never ends it; nothing is left open', async () => {
    const events: Event[] = [];
    const files = replaceFile(makeKitFiles({ files: PAYLOAD }), 'payload/etc/app.conf', 'port=6666\n');
    const error = await refusal(await put(kitTar(files)), { openSink: recorder(events).openSink });
    expect(error.code).toBe('KIT_DIGEST_MISMATCH');
    expect(events).toContainEqual({ kind: 'abort', path: 'payload/etc/app.conf' });
    expect(events.some((e) => e.kind === 'end' && e.path === 'payload/etc/app.conf')).toBe(false);
    const [opened, closed] = settled(events);
    expect(closed).toEqual(opened);
  });

  it('aborts deferred sinks when the signature fails', async () => {
    const events: Event[] = [];
    const files = replaceFile(makeKitFiles({ files: PAYLOAD }), 'SHA256SUMS.sigstore.json', fakeBundle(Buffer.from('x')));
    const error = await refusal(await put(kitTar(shuffled(files))), { openSink: recorder(events).openSink });
    expect(error.code).toBe('SIG_INVALID');
    expect(events.some((e) => e.kind === 'end')).toBe(false);
    const [opened, closed] = settled(events);
    expect(closed).toEqual(opened);
  });

  it('never opens a sink for a file the signed list does not name', async () => {
    const events: Event[] = [];
    const files = makeKitFiles({ files: PAYLOAD, unlisted: ['payload/etc/app.conf'] });
    await refusal(await put(kitTar(files)), { openSink: recorder(events).openSink });
    expect(events.some((e) => e.path === 'payload/etc/app.conf')).toBe(false);
  });
});

describe('cancellation', () => {
  const openFds = () => readdirSync('/proc/self/fd').length;
  const bigFiles = () => makeKitFiles({ files: { 'payload/a.bin': Buffer.alloc(3 * 1024 * 1024, 1), 'payload/b.bin': Buffer.alloc(3 * 1024 * 1024, 2) } });

  it.each([
    ['tar', (t: Buffer) => t],
    ['gzip', (t: Buffer) => gzip(t)],
    ['zstd', (t: Buffer) => zstd(t)],
  ])('stops with CANCELLED, aborts open sinks and closes the kit (%s)', async (_name, wrap) => {
    const kitPath = await put(wrap(kitTar(bigFiles())));
    const before = openFds();
    const controller = new AbortController();
    const events: string[] = [];
    const error = await refusal(kitPath, {
      signal: controller.signal,
      openSink: (f) => ({
        write: () => {
          if (f.path === 'payload/a.bin') controller.abort();
        },
        end: () => {
          events.push(`end ${f.path}`);
        },
        abort: (reason) => {
          events.push(`abort ${f.path} ${(reason as AirlockError).code}`);
        },
      }),
    });
    expect(error.code).toBe('CANCELLED');
    expect(events).toContain('abort payload/a.bin CANCELLED');
    expect(events.some((e) => e.startsWith('end payload/a.bin') || e.includes('payload/b.bin'))).toBe(false);
    expect(openFds()).toBe(before);
  });

  it('refuses to start when already cancelled', async () => {
    const controller = new AbortController();
    controller.abort();
    expect((await refusal(await put(kitTar(makeKitFiles())), { signal: controller.signal })).code).toBe('CANCELLED');
  });

  it('closes the kit on failures too', async () => {
    const kitPath = await put(kitTar(replaceFile(bigFiles(), 'payload/a.bin', Buffer.alloc(3 * 1024 * 1024, 9))));
    const before = openFds();
    expect((await refusal(kitPath)).code).toBe('KIT_DIGEST_MISMATCH');
    expect(openFds()).toBe(before);
  });
});

describe('progress', () => {
  it('reports bytes of the medium and SHA256SUMS lines, ending complete', async () => {
    const files = makeKitFiles({ files: { ...PAYLOAD, 'payload/big.bin': Buffer.alloc(3 * 1024 * 1024 + 17, 7) } });
    const gz = gzip(kitTar(files));
    const kitPath = await put(gz);
    const events: ProgressEvent[] = [];
    let t = 0;
    await verifyKit(kitPath, check({ onProgress: (e) => events.push(e), now: () => (t += 1000) }));
    expect(events[0]).toMatchObject({ phase: 'verify', bytesDone: 0, bytesTotal: gz.length, itemsTotal: null });
    const last = events.at(-1)!;
    expect(last).toMatchObject({ phase: 'verify', bytesDone: gz.length, bytesTotal: gz.length, itemsDone: files.length - 2, itemsTotal: files.length - 2 });
    for (let i = 1; i < events.length; i++) expect(events[i]!.bytesDone).toBeGreaterThanOrEqual(events[i - 1]!.bytesDone);
  });

  it('counts the sum of the parts for a split kit', async () => {
    const tar = kitTar(makeKitFiles({ files: PAYLOAD }));
    const split = await writeSplitKit(path.join(dir, `split-${++n}`), 'p.kit.tar', tar, 4096);
    const events: ProgressEvent[] = [];
    await verifyKit(split.partPaths[2]!, check({ onProgress: (e) => events.push(e) }));
    expect(events.at(-1)).toMatchObject({ bytesDone: tar.length, bytesTotal: tar.length });
  });
});

describe('readKitManifest', () => {
  it('reads kit.json without the signature and stops reading there', async () => {
    const files = makeKitFiles({ manifest: baseManifest({ channel: 'edge' }), bundle: Buffer.from('not a signature') });
    // Everything after kit.json is garbage: reading on would fail.
    const t = new TarBuilder();
    for (const f of files.slice(0, 3)) t.file(f.path, f.body);
    const kitPath = await put(Buffer.concat([t.toBuffer({ zeroBlocks: 0 }), Buffer.alloc(700, 0x41)]));
    expect(await readKitManifest(kitPath)).toMatchObject({ name: 'hello', channel: 'edge' });
    // The full verifier checks what readKitManifest skipped.
    expect((await refusal(kitPath)).code).toBe('SIG_INVALID');
    const signed = new TarBuilder();
    for (const f of makeKitFiles().slice(0, 3)) signed.file(f.path, f.body);
    const garbageAfterSigned = await put(Buffer.concat([signed.toBuffer({ zeroBlocks: 0 }), Buffer.alloc(700, 0x41)]));
    expect((await readKitManifest(garbageAfterSigned)).name).toBe('hello');
    expect((await refusal(garbageAfterSigned)).code).toBe('KIT_TRUNCATED');
  });

  it('reads kit.json from every container form', async () => {
    const files = makeKitFiles();
    const tar = kitTar(shuffled(files));
    const split = await writeSplitKit(path.join(dir, `split-${++n}`), 'r.kit.tar', zstd(tar), 256);
    const root = await writeKitDir(path.join(dir, `unpacked-${++n}`), files);
    for (const p of [await put(tar), await put(gzip(tar)), split.indexPath, split.partPaths[1]!, root]) {
      expect((await readKitManifest(p)).name).toBe('hello');
    }
  });

  it('checks the schema and entry rules of what it reads', async () => {
    await expect(readKitManifest(await put(kitTar(makeKitFiles({ manifest: baseManifest({ schema: 'airlock.kit/v3' }) }))))).rejects.toMatchObject({ code: 'KIT_SCHEMA' });
    const t = new TarBuilder().file('../evil', 'x').toBuffer();
    await expect(readKitManifest(await put(t))).rejects.toMatchObject({ code: 'KIT_PATH_UNSAFE' });
    await expect(readKitManifest(await put(kitTar(makeKitFiles().filter((f) => f.path !== 'kit.json'))))).rejects.toMatchObject({ code: 'KIT_MISSING_FILE', path: 'kit.json' });
  });
});
