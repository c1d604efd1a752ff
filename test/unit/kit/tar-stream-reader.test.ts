import { execFileSync } from 'node:child_process';
import { mkdtemp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { create as tarCreate } from 'tar';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AirlockError } from '../../../shared/airlock-error.ts';
import { readTarStream, TAR_TRAILER_MAX_BYTES, type TarEntryHeader } from '../../../electron/core/kit/tar-stream-reader.ts';
import { BLOCK, TarBuilder, padToBlock, paxRecords, tarHeader } from '../../helpers/tar-fixtures.ts';

interface Listed {
  path: string;
  kind: string;
  typeName: string;
  mode: number;
  size: number;
  body: string;
}

async function* chunked(buf: Buffer, size: number): AsyncGenerator<Buffer> {
  for (let i = 0; i < buf.length; i += size) yield buf.subarray(i, Math.min(buf.length, i + size));
}

async function list(buf: Buffer, chunkSize = 1 << 20): Promise<Listed[]> {
  const out: Listed[] = [];
  let current: { header: TarEntryHeader; parts: Buffer[] } | null = null;
  await readTarStream(chunked(buf, chunkSize), {
    entry(header) {
      if (header.kind === 'file') current = { header, parts: [] };
      else out.push({ path: header.path, kind: header.kind, typeName: header.typeName, mode: header.mode, size: header.size, body: '' });
    },
    data(chunk) {
      current!.parts.push(Buffer.from(chunk));
    },
    end() {
      const c = current!;
      out.push({ path: c.header.path, kind: 'file', typeName: c.header.typeName, mode: c.header.mode, size: c.header.size, body: Buffer.concat(c.parts).toString('utf8') });
      current = null;
    },
  });
  return out;
}

async function failure(buf: Buffer, chunkSize = 1 << 20): Promise<AirlockError> {
  try {
    await list(buf, chunkSize);
  } catch (error) {
    expect(error).toBeInstanceOf(AirlockError);
    return error as AirlockError;
  }
  throw new Error('expected the archive to be refused');
}

describe('readTarStream: well-formed archives', () => {
  const archive = new TarBuilder()
    .dir('docs/')
    .file('docs/readme.md', '# hello\n')
    .file('bin/run', '#!/bin/sh\necho hi\n', { mode: 0o755 })
    .file('empty', '')
    .file('old-style', 'old type flag', { type: '\0' })
    .file(`deep/${'d'.repeat(90)}/${'n'.repeat(90)}.txt`, 'ustar prefix')
    .file(`pax/${'p'.repeat(150)}.txt`, 'pax path', { pathStyle: 'pax' })
    .file(`gnu/${'g'.repeat(150)}.txt`, 'gnu long name', { pathStyle: 'gnu' })
    .file('gnu-magic', 'gnu header', { magic: 'gnu' })
    .file('big-size-field', 'base-256 size', { base256Size: true })
    .toBuffer({ recordSize: 10240 });

  it('lists every entry with path, type, mode and body', async () => {
    const entries = await list(archive);
    expect(entries.map((e) => [e.path, e.kind, e.mode, e.body])).toEqual([
      ['docs/', 'directory', 0o755, ''],
      ['docs/readme.md', 'file', 0o644, '# hello\n'],
      ['bin/run', 'file', 0o755, '#!/bin/sh\necho hi\n'],
      ['empty', 'file', 0o644, ''],
      ['old-style', 'file', 0o644, 'old type flag'],
      [`deep/${'d'.repeat(90)}/${'n'.repeat(90)}.txt`, 'file', 0o644, 'ustar prefix'],
      [`pax/${'p'.repeat(150)}.txt`, 'file', 0o644, 'pax path'],
      [`gnu/${'g'.repeat(150)}.txt`, 'file', 0o644, 'gnu long name'],
      ['gnu-magic', 'file', 0o644, 'gnu header'],
      ['big-size-field', 'file', 0o644, 'base-256 size'],
    ]);
  });

  it.each([1, 7, 100, 511, 512, 513, 1000, 4096])('gives the same result when fed in chunks of %i bytes', async (size) => {
    expect(await list(archive, size)).toEqual(await list(archive));
  });

  it('uses the pax size over the header size', async () => {
    const body = 'twelve bytes';
    const buf = new TarBuilder().add({ path: 'f', body, size: 0, pax: { size: String(body.length) } }).toBuffer();
    expect((await list(buf))[0]).toMatchObject({ path: 'f', size: 12, body });
  });

  it('ignores pax records it has no use for, and global headers without path or size', async () => {
    const g = paxRecords({ comment: 'made by a test' });
    const buf = new TarBuilder()
      .raw(tarHeader({ name: 'pax_global_header', type: 'g', size: g.length }))
      .raw(padToBlock(g))
      .add({ path: 'f', body: 'x', pax: { mtime: '1700000000.5', uname: 'someone', 'SCHILY.xattr.user.x': 'y' } })
      .toBuffer();
    expect((await list(buf)).map((e) => e.path)).toEqual(['f']);
  });

  it('accepts a single end block and zero padding after it', async () => {
    const buf = new TarBuilder().file('a', 'b').toBuffer({ zeroBlocks: 1 });
    expect((await list(buf)).map((e) => e.path)).toEqual(['a']);
  });

  it('keeps "..", absolute paths and backslashes exactly as written (the path rules judge them)', async () => {
    const buf = new TarBuilder().file('../up', 'x').file('/abs', 'y').file('back\\slash', 'z').toBuffer();
    expect((await list(buf)).map((e) => e.path)).toEqual(['../up', '/abs', 'back\\slash']);
  });

  it('reports forbidden entry types with their names instead of reading them as files', async () => {
    const buf = new TarBuilder()
      .add({ path: 'hard', type: '1', linkname: 'target' })
      .add({ path: 'sym', type: '2', linkname: 'target' })
      .add({ path: 'chr', type: '3' })
      .add({ path: 'blk', type: '4' })
      .add({ path: 'fifo', type: '6' })
      .add({ path: 'contig', type: '7', body: 'contiguous body' })
      .add({ path: 'sparse', type: 'S', body: 'sparse body' })
      .add({ path: 'dump', type: 'D', body: 'dump body' })
      .add({ path: 'odd', type: 'Z', body: 'unknown body' })
      .add({ path: 'paxsparse', body: 'sparse map', pax: { 'GNU.sparse.major': '1', 'GNU.sparse.minor': '0' } })
      .file('after', 'still in sync')
      .toBuffer();
    const entries = await list(buf);
    expect(entries.map((e) => [e.path, e.kind, e.typeName])).toEqual([
      ['hard', 'unsupported', 'hard link'],
      ['sym', 'unsupported', 'symbolic link'],
      ['chr', 'unsupported', 'character device'],
      ['blk', 'unsupported', 'block device'],
      ['fifo', 'unsupported', 'FIFO'],
      ['contig', 'unsupported', 'contiguous file'],
      ['sparse', 'unsupported', 'GNU sparse file'],
      ['dump', 'unsupported', 'GNU dump directory'],
      ['odd', 'unsupported', 'unknown type "Z"'],
      ['paxsparse', 'unsupported', 'sparse file (pax GNU.sparse)'],
      ['after', 'file', 'regular file'],
    ]);
    expect(entries.at(-1)!.body).toBe('still in sync');
  });

  it('reports set-uid, set-gid and sticky bits in the mode', async () => {
    const buf = new TarBuilder().file('s', 'x', { mode: 0o4755 }).file('g', 'x', { mode: 0o2755 }).dir('t/', { mode: 0o1777 }).toBuffer();
    expect((await list(buf)).map((e) => e.mode)).toEqual([0o4755, 0o2755, 0o1777]);
  });
});

describe('readTarStream: archives written by other tools', () => {
  let dir: string;
  const longName = `${'a'.repeat(120)}/${'b'.repeat(120)}.txt`;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'airlock-tar-'));
    await mkdir(path.join(dir, 'src', 'a'.repeat(120)), { recursive: true });
    await writeFile(path.join(dir, 'src', longName), 'long\n');
    await writeFile(path.join(dir, 'src', 'short.txt'), 'short\n');
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('reads node-tar pax archives', async () => {
    const out = path.join(dir, 'node-tar.tar');
    await tarCreate({ file: out, cwd: path.join(dir, 'src'), portable: true }, ['short.txt', longName]);
    const entries = await list(await readFile(out));
    expect(entries.filter((e) => e.kind === 'file').map((e) => [e.path, e.body])).toEqual([
      ['short.txt', 'short\n'],
      [longName, 'long\n'],
    ]);
  });

  it.each(['gnu', 'pax', 'ustar'])('reads GNU tar --format=%s archives', async (format) => {
    const out = path.join(dir, `gnu-${format}.tar`);
    const names = format === 'ustar' ? ['short.txt'] : ['short.txt', longName];
    execFileSync('tar', [`--format=${format}`, '-cf', out, '-C', path.join(dir, 'src'), ...names]);
    const entries = await list(await readFile(out));
    expect(entries.filter((e) => e.kind === 'file').map((e) => [e.path, e.body])).toEqual(
      names.map((n) => [n, n === 'short.txt' ? 'short\n' : 'long\n']),
    );
  });
});

describe('readTarStream: refused archives', () => {
  const ok = () => new TarBuilder().file('a', 'hello');

  it.each([
    ['an empty file', Buffer.alloc(0)],
    ['a file shorter than one header', Buffer.from('short')],
    ['random bytes', Buffer.alloc(2048, 0x41)],
    ['an archive that starts with an empty block', Buffer.alloc(4096)],
    ['a v7 header without the ustar magic', new TarBuilder().file('a', 'x', { magic: 'none' }).toBuffer()],
  ])('KIT_FORMAT for %s', async (_name, buf) => {
    expect((await failure(buf)).code).toBe('KIT_FORMAT');
  });

  it.each([
    ['a pax global header that sets a path', () => {
      const g = paxRecords({ path: 'evil' });
      return new TarBuilder().file('a', 'x').raw(tarHeader({ name: 'g', type: 'g', size: g.length })).raw(padToBlock(g)).file('b', 'y').toBuffer();
    }],
    ['a malformed pax record', () => {
      const body = Buffer.from('99 path=short\n');
      return new TarBuilder().raw(tarHeader({ name: 'x', type: 'x', size: body.length })).raw(padToBlock(body)).file('a', 'x').toBuffer();
    }],
    ['a pax record without "="', () => {
      const body = Buffer.from('9 pathab\n');
      return new TarBuilder().raw(tarHeader({ name: 'x', type: 'x', size: body.length })).raw(padToBlock(body)).file('a', 'x').toBuffer();
    }],
    ['a pax header that sets the path twice', () => ok().add({ path: 'b', body: 'x', pax: [['path', 'one'], ['path', 'two']] }).toBuffer()],
    ['a pax size that is not a number', () => ok().add({ path: 'b', body: 'x', pax: { size: '1e3' } }).toBuffer()],
    ['an empty pax path', () => ok().add({ path: 'b', body: 'x', pax: { path: '' } }).toBuffer()],
    ['both a pax path and a GNU long name', () => {
      const long = Buffer.from('gnu-name\0');
      return ok().raw(tarHeader({ name: '././@LongLink', type: 'L', size: long.length, magic: 'gnu' })).raw(padToBlock(long)).add({ path: 'b', body: 'x', pax: { path: 'pax-name' } }).toBuffer();
    }],
    ['two pax headers for one entry', () => {
      const p = paxRecords({ path: 'x' });
      return ok().raw(tarHeader({ name: 'x', type: 'x', size: p.length })).raw(padToBlock(p)).raw(tarHeader({ name: 'x', type: 'x', size: p.length })).raw(padToBlock(p)).file('b', 'x').toBuffer();
    }],
    ['a metadata record larger than 1 MiB', () => ok().raw(tarHeader({ name: 'x', type: 'x', size: 1024 * 1024 + 1 })).toBuffer()],
    ['a metadata record followed by the end of the archive', () => {
      const p = paxRecords({ path: 'x' });
      return ok().raw(tarHeader({ name: 'x', type: 'x', size: p.length })).raw(padToBlock(p)).toBuffer();
    }],
    ['a directory entry with a body', () => ok().add({ path: 'd/', type: '5', size: 512 }).raw(Buffer.alloc(512, 1)).toBuffer()],
    ['a lone empty block inside the archive', () => ok().raw(Buffer.alloc(BLOCK)).file('b', 'x').toBuffer()],
    ['an entry after the end-of-archive marker', () => Buffer.concat([ok().toBuffer(), new TarBuilder().file('smuggled', 'x').toBuffer()])],
    ['a header without the ustar magic after the first', () => ok().file('b', 'x', { magic: 'none' }).toBuffer()],
    ['a malformed size field', () => {
      const h = tarHeader({ name: 'a', size: 1 });
      h.write('12x4567\0', 124, 'latin1');
      h.fill(0x20, 148, 156);
      let sum = 0;
      for (const b of h) sum += b;
      h.write(sum.toString(8).padStart(6, '0') + '\0 ', 148, 'latin1');
      return Buffer.concat([h, Buffer.alloc(512 * 3)]);
    }],
    ['a negative base-256 size', () => {
      const h = tarHeader({ name: 'a', size: 0 });
      h[124] = 0xff;
      h.fill(0x20, 148, 156);
      let sum = 0;
      for (const b of h) sum += b;
      h.write(sum.toString(8).padStart(6, '0') + '\0 ', 148, 'latin1');
      return Buffer.concat([h, Buffer.alloc(1024)]);
    }],
  ])('KIT_FORMAT for %s', async (_name, make) => {
    const error = await failure(make());
    expect(error.code).toBe('KIT_FORMAT');
  });

  it(`KIT_FORMAT for more than ${TAR_TRAILER_MAX_BYTES} bytes of padding after the end`, async () => {
    const buf = Buffer.concat([ok().toBuffer(), Buffer.alloc(TAR_TRAILER_MAX_BYTES + BLOCK)]);
    expect((await failure(buf)).code).toBe('KIT_FORMAT');
  });

  it.each([
    ['ends inside a file body', () => ok().file('b', 'x'.repeat(2000)).toBuffer({ zeroBlocks: 0 }).subarray(0, 512 * 3 + 100)],
    ['ends inside a header', () => Buffer.concat([ok().toBuffer({ zeroBlocks: 0 }), tarHeader({ name: 'b' }).subarray(0, 100)])],
    ['ends inside a metadata record', () => ok().add({ path: 'b', body: 'x', pax: { comment: 'c'.repeat(3000) } }).toBuffer().subarray(0, 1024 + 512 + 1000)],
    ['ends without the end-of-archive marker', () => ok().toBuffer({ zeroBlocks: 0 })],
    ['has a header whose checksum does not match', () => ok().file('b', 'x', { checksum: 1234 }).toBuffer()],
    ['has a damaged first header', () => new TarBuilder().file('a', 'x', { checksum: 99 }).toBuffer()],
  ])('KIT_TRUNCATED when the archive %s', async (_name, make) => {
    expect((await failure(make())).code).toBe('KIT_TRUNCATED');
  });

  it('says where the archive ends early', async () => {
    const inHeader = await failure(Buffer.concat([ok().toBuffer({ zeroBlocks: 0 }), tarHeader({ name: 'b' }).subarray(0, 100)]));
    expect(inHeader.message).toMatch(/ends inside a header/);
    const inBody = await failure(ok().file('b', 'x'.repeat(2000)).toBuffer({ zeroBlocks: 0 }).subarray(0, 512 * 3 + 100));
    expect(inBody.message).toMatch(/ends inside an entry/);
  });

  it('names the byte offset of a damaged header', async () => {
    const error = await failure(ok().file('b', 'x', { checksum: 1234 }).toBuffer());
    expect(error.details).toEqual({ offset: 1024 });
  });
});
