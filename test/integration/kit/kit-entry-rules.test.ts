// KIT-FORMAT §2 through the whole verifier: each adversarial kit fails with its
// own code and names the entry, in archives and in unpacked kits.
import { execFileSync } from 'node:child_process';
import { chmod, mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AirlockError } from '../../../shared/airlock-error.ts';
import { printable } from '../../../electron/core/kit/kit-path-rules.ts';
import { verifyKit } from '../../../electron/core/kit/kit-verifier.ts';
import { FakeSignatureChecker, TarBuilder, UNSAFE_PATHS, makeKitFiles, writeKitDir, type KitFile, type TarEntrySpec } from '../../helpers/tar-fixtures.ts';

let dir: string;
let n = 0;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'airlock-entry-rules-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** A valid signed kit with extra raw entries after (or before) its files. */
async function kitWith(extra: TarEntrySpec[], opts: { files?: KitFile[]; before?: boolean } = {}): Promise<string> {
  const files = opts.files ?? makeKitFiles();
  const t = new TarBuilder();
  if (opts.before) extra.forEach((e) => t.add(e));
  for (const f of files) t.file(f.path, f.body, { mode: f.mode ?? 0o644 });
  if (!opts.before) extra.forEach((e) => t.add(e));
  const p = path.join(dir, `kit-${++n}.tar`);
  await writeFile(p, t.toBuffer());
  return p;
}

async function refusal(kitPath: string): Promise<AirlockError> {
  try {
    await verifyKit(kitPath, { signature: new FakeSignatureChecker() });
  } catch (error) {
    expect(error).toBeInstanceOf(AirlockError);
    return error as AirlockError;
  }
  throw new Error(`${kitPath} was accepted`);
}

describe('KIT_PATH_UNSAFE in archives', () => {
  it.each(UNSAFE_PATHS)('%s', async (_name, p) => {
    // pax keeps any path verbatim (NUL included); an empty name needs the plain ustar field.
    const spec: TarEntrySpec = { path: p, type: '0', body: 'x', ...(p === '' ? {} : { pathStyle: 'pax' as const }) };
    const error = await refusal(await kitWith([spec]));
    expect(error.code).toBe('KIT_PATH_UNSAFE');
    expect(error.path).toBe(printable(p));
  });

  it('reads ".." and absolute paths from plain ustar headers too', async () => {
    for (const p of ['../escape', '/etc/passwd', 'a\\..\\..\\x']) {
      const error = await refusal(await kitWith([{ path: p, body: 'x' }]));
      expect([error.code, error.path]).toEqual(['KIT_PATH_UNSAFE', p]);
    }
  });

  it('refuses an unsafe directory record', async () => {
    const error = await refusal(await kitWith([{ path: '../up/', type: '5' }]));
    expect([error.code, error.path]).toEqual(['KIT_PATH_UNSAFE', '../up/']);
  });

  it('refuses an unsafe path before the signature is even read', async () => {
    const error = await refusal(await kitWith([{ path: '../first', body: 'x' }], { before: true }));
    expect(error.code).toBe('KIT_PATH_UNSAFE');
  });
});

describe('KIT_PATH_COLLISION in archives', () => {
  it('refuses a duplicate entry', async () => {
    const files = makeKitFiles({ files: { 'payload/a.txt': 'a' } });
    const error = await refusal(await kitWith([{ path: 'payload/a.txt', body: 'a' }], { files }));
    expect([error.code, error.path]).toEqual(['KIT_PATH_COLLISION', 'payload/a.txt']);
  });

  it('refuses case twins', async () => {
    const files = makeKitFiles({ files: { 'payload/README': 'a' } });
    const error = await refusal(await kitWith([{ path: 'payload/readme', body: 'b' }], { files }));
    expect([error.code, error.path]).toEqual(['KIT_PATH_COLLISION', 'payload/readme']);
  });

  it('refuses the same path spelled with and without "./"', async () => {
    const files = makeKitFiles({ files: { 'payload/a.txt': 'a' } });
    const error = await refusal(await kitWith([{ path: './payload/a.txt', body: 'a' }], { files }));
    expect([error.code, error.path]).toEqual(['KIT_PATH_COLLISION', 'payload/a.txt']);
  });
});

describe('KIT_ENTRY_TYPE in archives', () => {
  it.each([
    ['symbolic link', { path: 'payload/link', type: '2', linkname: '/etc/passwd' }],
    ['hard link', { path: 'payload/hard', type: '1', linkname: 'kit.json' }],
    ['character device', { path: 'payload/tty', type: '3' }],
    ['block device', { path: 'payload/disk', type: '4' }],
    ['FIFO', { path: 'payload/pipe', type: '6' }],
    ['contiguous file', { path: 'payload/contig', type: '7', body: 'x' }],
    ['GNU sparse file', { path: 'payload/sparse', type: 'S', body: 'x' }],
  ] as Array<[string, TarEntrySpec]>)('refuses a %s', async (typeName, spec) => {
    const error = await refusal(await kitWith([spec]));
    expect(error.code).toBe('KIT_ENTRY_TYPE');
    expect(error.path).toBe(spec.path);
    expect(error.details).toEqual({ type: typeName });
  });
});

describe('KIT_ENTRY_MODE in archives', () => {
  it.each([
    ['set-uid file', { path: 'payload/hello.txt', body: 'hello\n', mode: 0o4755 }],
    ['set-gid file', { path: 'payload/hello.txt', body: 'hello\n', mode: 0o2755 }],
    ['sticky directory', { path: 'payload/tmp/', type: '5', mode: 0o1777 }],
  ] as Array<[string, TarEntrySpec]>)('refuses a %s', async (_name, spec) => {
    const files = makeKitFiles().filter((f) => f.path !== 'payload/hello.txt' || spec.type === '5');
    const error = await refusal(await kitWith([spec], { files }));
    expect(error.code).toBe('KIT_ENTRY_MODE');
    expect(error.path).toBe(spec.path.replace(/\/$/, ''));
  });
});

describe('unpacked kits', () => {
  async function kitDir(edit: (root: string) => Promise<void>): Promise<string> {
    const root = await writeKitDir(path.join(dir, `unpacked-${++n}`), makeKitFiles());
    await edit(root);
    return root;
  }

  it.each([
    ['Windows reserved name', 'payload/CON'],
    ['colon', 'payload/a:b'],
    ['backslash', 'payload/a\\b'],
    ['trailing dot', 'payload/name.'],
    ['trailing space', 'payload/name '],
    ['control character', 'payload/bell\u0007'],
    ['not NFC', 'payload/e\u0301.txt'],
  ])('KIT_PATH_UNSAFE for a file name with a %s', async (_name, p) => {
    const root = await kitDir((r) => writeFile(path.join(r, ...p.split('/')), 'x'));
    const error = await refusal(root);
    expect([error.code, error.path]).toEqual(['KIT_PATH_UNSAFE', printable(p)]);
  });

  it('KIT_PATH_UNSAFE for a folder name that is not valid UTF-8', async () => {
    const root = await kitDir(async (r) => {
      await mkdir(Buffer.concat([Buffer.from(path.join(r, 'payload') + path.sep), Buffer.from([0xff, 0x41])]));
    });
    const error = await refusal(root);
    expect([error.code, error.path]).toEqual(['KIT_PATH_UNSAFE', 'payload/\ufffdA']);
  });

  it('KIT_PATH_COLLISION for signed case twins (on a case-sensitive file system)', async () => {
    const root = await writeKitDir(path.join(dir, `unpacked-${++n}`), makeKitFiles({ files: { 'payload/HELLO.txt': 'x', 'payload/hello.txt': 'y' } }));
    const error = await refusal(root);
    expect([error.code, error.path]).toEqual(['KIT_PATH_COLLISION', 'payload/hello.txt']);
  });

  it('KIT_ENTRY_TYPE for a symbolic link, without following it', async () => {
    const root = await kitDir((r) => symlink('/etc/passwd', path.join(r, 'payload', 'passwd')));
    const error = await refusal(root);
    expect([error.code, error.path]).toEqual(['KIT_ENTRY_TYPE', 'payload/passwd']);
    expect(error.details).toEqual({ type: 'symbolic link' });
  });

  it('KIT_ENTRY_TYPE for a symbolic link to a folder', async () => {
    const root = await kitDir((r) => symlink('/etc', path.join(r, 'payload', 'etc')));
    expect((await refusal(root)).code).toBe('KIT_ENTRY_TYPE');
  });

  it('KIT_ENTRY_TYPE for a FIFO', async () => {
    const root = await kitDir(async (r) => {
      execFileSync('mkfifo', [path.join(r, 'payload', 'pipe')]);
    });
    const error = await refusal(root);
    expect([error.code, error.path, error.details]).toEqual(['KIT_ENTRY_TYPE', 'payload/pipe', { type: 'FIFO' }]);
  });

  it('KIT_ENTRY_MODE for a set-uid file', async () => {
    const root = await kitDir((r) => chmod(path.join(r, 'payload', 'hello.txt'), 0o4755));
    const error = await refusal(root);
    expect([error.code, error.path]).toEqual(['KIT_ENTRY_MODE', 'payload/hello.txt']);
  });
});
