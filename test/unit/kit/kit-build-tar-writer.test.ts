import { execFileSync } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { endOfArchive, fileHeader, paddingFor, paxRecord, splitUstarName, TAR_BLOCK, USTAR_MAX_SIZE } from '../../../electron/core/kit/tar-writer.ts';

const field = (block: Buffer, offset: number, length: number): string => {
  const raw = block.subarray(offset, offset + length);
  const nul = raw.indexOf(0);
  return raw.subarray(0, nul === -1 ? length : nul).toString('utf8');
};

function checksumOk(block: Buffer): boolean {
  let sum = 0;
  for (let i = 0; i < TAR_BLOCK; i++) sum += i >= 148 && i < 156 ? 0x20 : block[i]!;
  return parseInt(field(block, 148, 8).trim(), 8) === sum;
}

describe('tar-writer headers', () => {
  it('writes a plain ustar header with fixed owner, mode and mtime fields', () => {
    const h = fileHeader({ path: 'payload/bin/hello', size: 1234, mode: 0o755, mtime: 1_700_000_000 });
    expect(h.length).toBe(TAR_BLOCK);
    expect(field(h, 0, 100)).toBe('payload/bin/hello');
    expect(field(h, 100, 8)).toBe('0000755');
    expect(field(h, 108, 8)).toBe('0000000');
    expect(field(h, 116, 8)).toBe('0000000');
    expect(parseInt(field(h, 124, 12), 8)).toBe(1234);
    expect(parseInt(field(h, 136, 12), 8)).toBe(1_700_000_000);
    expect(String.fromCharCode(h[156]!)).toBe('0');
    expect(h.subarray(257, 265).toString('latin1')).toBe('ustar\u000000');
    expect(field(h, 265, 32)).toBe('');
    expect(field(h, 297, 32)).toBe('');
    expect(field(h, 345, 155)).toBe('');
    expect(checksumOk(h)).toBe(true);
  });

  it('splits a long ASCII path over prefix and name instead of adding a pax record', () => {
    const dir = 'd'.repeat(120);
    const p = `${dir}/file.txt`;
    const h = fileHeader({ path: p, size: 0, mode: 0o644, mtime: 0 });
    expect(h.length).toBe(TAR_BLOCK);
    expect(field(h, 345, 155)).toBe(dir);
    expect(field(h, 0, 100)).toBe('file.txt');
    expect(checksumOk(h)).toBe(true);
  });

  it('uses a pax path record for non-ASCII names and for names ustar cannot hold', () => {
    for (const p of ['payload/caf\u00e9.txt', `a/${'x'.repeat(150)}`]) {
      const h = fileHeader({ path: p, size: 5, mode: 0o644, mtime: 42 });
      expect(String.fromCharCode(h[156]!)).toBe('x');
      expect(checksumOk(h.subarray(0, TAR_BLOCK))).toBe(true);
      const paxSize = parseInt(field(h, 124, 12), 8);
      const records = h.subarray(TAR_BLOCK, TAR_BLOCK + paxSize).toString('utf8');
      expect(records).toBe(paxRecord('path', p).toString('utf8'));
      expect(records).not.toMatch(/atime|ctime|uname|gname|mtime/);
      const ustar = h.subarray(h.length - TAR_BLOCK);
      expect(String.fromCharCode(ustar[156]!)).toBe('0');
      expect(parseInt(field(ustar, 136, 12), 8)).toBe(42);
      expect(checksumOk(ustar)).toBe(true);
      expect(h.length % TAR_BLOCK).toBe(0);
    }
  });

  it('records sizes over 8 GiB in pax and clamps the ustar field', () => {
    const size = USTAR_MAX_SIZE + 10;
    const h = fileHeader({ path: 'images/blobs/sha256/big', size, mode: 0o644, mtime: 0 });
    expect(h.subarray(TAR_BLOCK).toString('utf8')).toContain(`size=${size}\n`);
    const ustar = h.subarray(h.length - TAR_BLOCK);
    expect(parseInt(field(ustar, 124, 12), 8)).toBe(USTAR_MAX_SIZE);
  });

  it('makes pax record lengths count themselves, across a digit boundary', () => {
    for (let n = 0; n < 120; n++) {
      const rec = paxRecord('path', 'v'.repeat(n)).toString('utf8');
      const len = Number(rec.slice(0, rec.indexOf(' ')));
      expect(Buffer.byteLength(rec)).toBe(len);
      expect(rec.endsWith('\n')).toBe(true);
    }
  });

  it('finds a ustar split only where the prefix and the name both fit', () => {
    expect(splitUstarName('short')).toEqual({ prefix: '', name: 'short' });
    expect(splitUstarName(`${'a'.repeat(156)}/b`)).toBeUndefined();
    expect(splitUstarName(`a/${'b'.repeat(101)}`)).toBeUndefined();
    expect(splitUstarName(`${'a'.repeat(155)}/${'b'.repeat(100)}`)).toEqual({ prefix: 'a'.repeat(155), name: 'b'.repeat(100) });
  });

  it('pads to whole blocks and ends with two zero blocks', () => {
    expect(paddingFor(0).length).toBe(0);
    expect(paddingFor(1).length).toBe(511);
    expect(paddingFor(512).length).toBe(0);
    expect(endOfArchive().equals(Buffer.alloc(1024))).toBe(true);
  });
});

describe('tar-writer output read by GNU tar', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'airlock-tarw-'));
  });
  afterEach(async () => {
    await fs.rm(dir, { recursive: true, force: true });
  });

  it('lists names, modes, owners and times as written and extracts the bytes', async () => {
    const files = [
      { path: 'kit.json', mode: 0o644, data: Buffer.from('{}\n') },
      { path: 'payload/bin/run', mode: 0o755, data: Buffer.from('#!/bin/sh\n') },
      { path: `payload/${'n'.repeat(110)}/f`, mode: 0o644, data: Buffer.alloc(700, 7) },
      { path: 'payload/\u00fcber/\u65e5\u672c.txt', mode: 0o644, data: Buffer.alloc(0) },
    ];
    const tar = Buffer.concat([
      ...files.flatMap((f) => [fileHeader({ path: f.path, size: f.data.length, mode: f.mode, mtime: 1_600_000_000 }), f.data, paddingFor(f.data.length)]),
      endOfArchive(),
    ]);
    const file = path.join(dir, 't.tar');
    await fs.writeFile(file, tar);
    const listing = execFileSync('tar', ['--full-time', '--utc', '-tvf', file], { encoding: 'utf8', env: { ...process.env, TZ: 'UTC', LC_ALL: 'C.UTF-8' } }).trim().split('\n');
    expect(listing).toHaveLength(files.length);
    listing.forEach((line, i) => {
      const f = files[i]!;
      expect(line.startsWith(f.mode === 0o755 ? '-rwxr-xr-x 0/0' : '-rw-r--r-- 0/0')).toBe(true);
      expect(line).toContain('2020-09-13 12:26:40');
      expect(line.endsWith(f.path)).toBe(true);
    });
    const out = path.join(dir, 'x');
    await fs.mkdir(out);
    execFileSync('tar', ['-xf', file, '-C', out]);
    for (const f of files) expect((await fs.readFile(path.join(out, f.path))).equals(f.data)).toBe(true);
  });
});
