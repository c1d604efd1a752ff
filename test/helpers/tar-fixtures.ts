// Builds kits for tests, including the broken ones a real builder refuses to
// write: tar headers are written here byte by byte, so a test can produce
// links, devices, set-uid modes, ".." and absolute paths, duplicates, pax and
// GNU long names, bad checksums and truncated archives. Signatures are faked
// with an HMAC (see FakeSignatureChecker); the real Sigstore checker is tested
// on its own.
import { createHash, createHmac } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { gzipSync, zstdCompressSync } from 'node:zlib';
import { AirlockError } from '../../shared/airlock-error.ts';
import type { SignatureVerdict } from '../../shared/kit-verification.ts';

export const BLOCK = 512;

// ---------------------------------------------------------------- tar headers

export interface TarHeaderFields {
  /** Raw bytes or text for the 100-byte name field. */
  name: string | Uint8Array;
  /** Raw bytes or text for the 155-byte prefix field (POSIX magic only). */
  prefix?: string | Uint8Array;
  mode?: number;
  uid?: number;
  gid?: number;
  size?: number;
  mtime?: number;
  /** Type flag character; '\0' for the old regular-file flag. Default '0'. */
  type?: string;
  linkname?: string;
  /** 'posix' = "ustar\0" "00", 'gnu' = "ustar  \0", 'none' = no magic (v7). */
  magic?: 'posix' | 'gnu' | 'none';
  /** Write this checksum instead of the right one. */
  checksum?: number;
  devmajor?: number;
  devminor?: number;
  /** Write the size as GNU base-256 instead of octal. */
  base256Size?: boolean;
}

function putBytes(block: Buffer, offset: number, length: number, value: string | Uint8Array): void {
  const bytes = typeof value === 'string' ? Buffer.from(value, 'utf8') : Buffer.from(value);
  if (bytes.length > length) throw new RangeError(`field of ${length} bytes cannot hold ${bytes.length}`);
  bytes.copy(block, offset);
}

function putOctal(block: Buffer, offset: number, length: number, value: number): void {
  putBytes(block, offset, length, value.toString(8).padStart(length - 1, '0') + '\0');
}

/** One 512-byte header block with a correct checksum unless told otherwise. */
export function tarHeader(fields: TarHeaderFields): Buffer {
  const b = Buffer.alloc(BLOCK);
  putBytes(b, 0, 100, fields.name);
  putOctal(b, 100, 8, fields.mode ?? 0o644);
  putOctal(b, 108, 8, fields.uid ?? 0);
  putOctal(b, 116, 8, fields.gid ?? 0);
  const size = fields.size ?? 0;
  if (fields.base256Size) {
    b[124] = 0x80;
    let v = size;
    for (let i = 135; i > 124; i--) {
      b[i] = v % 256;
      v = Math.floor(v / 256);
    }
  } else {
    putOctal(b, 124, 12, size);
  }
  putOctal(b, 136, 12, fields.mtime ?? 1_700_000_000);
  const type = fields.type ?? '0';
  b[156] = type === '\0' ? 0 : type.charCodeAt(0);
  if (fields.linkname) putBytes(b, 157, 100, fields.linkname);
  const magic = fields.magic ?? 'posix';
  if (magic === 'posix') {
    b.write('ustar\0', 257, 'latin1');
    b.write('00', 263, 'latin1');
  } else if (magic === 'gnu') {
    b.write('ustar  \0', 257, 'latin1');
  }
  if (magic !== 'none') {
    putOctal(b, 329, 8, fields.devmajor ?? 0);
    putOctal(b, 337, 8, fields.devminor ?? 0);
  }
  if (fields.prefix !== undefined) putBytes(b, 345, 155, fields.prefix);
  b.fill(0x20, 148, 156);
  let sum = 0;
  for (const x of b) sum += x;
  putBytes(b, 148, 8, (fields.checksum ?? sum).toString(8).padStart(6, '0') + '\0 ');
  return b;
}

/** Pax records "<len> key=value\n" (the length counts itself). */
export function paxRecords(records: Record<string, string> | Array<[string, string]>): Buffer {
  const list = Array.isArray(records) ? records : Object.entries(records);
  return Buffer.concat(
    list.map(([k, v]) => {
      const rest = ` ${k}=${v}\n`;
      const restLen = Buffer.byteLength(rest);
      let len = restLen + 1;
      while (String(len).length + restLen !== len) len = String(len).length + restLen;
      return Buffer.from(`${len}${rest}`, 'utf8');
    }),
  );
}

export function padToBlock(buf: Uint8Array): Buffer {
  const b = Buffer.from(buf);
  const pad = (BLOCK - (b.length % BLOCK)) % BLOCK;
  return pad === 0 ? b : Buffer.concat([b, Buffer.alloc(pad)]);
}

/** Splits a path over ustar's prefix and name fields, or returns undefined. */
export function splitUstarPath(p: string): { name: string; prefix: string } | undefined {
  const bytes = Buffer.byteLength(p);
  if (bytes <= 100) return { name: p, prefix: '' };
  for (let i = p.length - 1; i > 0; i--) {
    if (p[i] !== '/') continue;
    const prefix = p.slice(0, i);
    const name = p.slice(i + 1);
    if (Buffer.byteLength(prefix) <= 155 && Buffer.byteLength(name) <= 100 && name !== '') return { name, prefix };
  }
  return undefined;
}

export interface TarEntrySpec {
  path: string;
  /** Type flag; default '0' (file) or '5' when `path` ends with "/". */
  type?: string;
  body?: Uint8Array | string;
  /** Header size when it must differ from the body length. */
  size?: number;
  mode?: number;
  linkname?: string;
  /** How a path is stored: ustar name/prefix (default, falls back to pax when too long), pax, or GNU 'L'. */
  pathStyle?: 'ustar' | 'pax' | 'gnu';
  /** Extra pax records written before the entry. */
  pax?: Record<string, string> | Array<[string, string]>;
  magic?: 'posix' | 'gnu' | 'none';
  checksum?: number;
  base256Size?: boolean;
}

/** Appends entries and raw bytes; `toBuffer()` adds the end-of-archive blocks. */
export class TarBuilder {
  private readonly parts: Buffer[] = [];

  add(spec: TarEntrySpec): this {
    const body = spec.body === undefined ? Buffer.alloc(0) : Buffer.from(spec.body);
    const type = spec.type ?? (spec.path.endsWith('/') ? '5' : '0');
    const size = spec.size ?? body.length;
    const records: Array<[string, string]> = spec.pax ? (Array.isArray(spec.pax) ? [...spec.pax] : Object.entries(spec.pax)) : [];
    let style = spec.pathStyle ?? 'ustar';
    const split = splitUstarPath(spec.path);
    if (style === 'ustar' && !split) style = 'pax';
    let name: string;
    let prefix = '';
    if (style === 'ustar') {
      name = split!.name;
      prefix = split!.prefix;
    } else {
      name = 'long-name-stand-in';
      if (style === 'pax') records.unshift(['path', spec.path]);
      else {
        const longName = Buffer.concat([Buffer.from(spec.path, 'utf8'), Buffer.alloc(1)]);
        this.parts.push(tarHeader({ name: '././@LongLink', type: 'L', size: longName.length, magic: 'gnu' }), padToBlock(longName));
      }
    }
    if (records.length > 0) {
      const pax = paxRecords(records);
      this.parts.push(tarHeader({ name: 'PaxHeader', type: 'x', size: pax.length }), padToBlock(pax));
    }
    const magic = spec.magic ?? (style === 'gnu' ? 'gnu' : 'posix');
    this.parts.push(
      tarHeader({
        name,
        ...(magic === 'posix' && prefix ? { prefix } : {}),
        type,
        size,
        mode: spec.mode ?? (type === '5' ? 0o755 : 0o644),
        ...(spec.linkname ? { linkname: spec.linkname } : {}),
        magic,
        ...(spec.checksum !== undefined ? { checksum: spec.checksum } : {}),
        ...(spec.base256Size ? { base256Size: true } : {}),
      }),
    );
    if (body.length > 0) this.parts.push(padToBlock(body));
    return this;
  }

  file(p: string, body: Uint8Array | string, opts: Omit<TarEntrySpec, 'path' | 'body'> = {}): this {
    return this.add({ ...opts, path: p, body });
  }

  dir(p: string, opts: Omit<TarEntrySpec, 'path'> = {}): this {
    return this.add({ ...opts, path: p.endsWith('/') ? p : `${p}/`, type: '5' });
  }

  raw(bytes: Uint8Array): this {
    this.parts.push(Buffer.from(bytes));
    return this;
  }

  /** The archive so far plus `zeroBlocks` end blocks (default 2) and optional record padding. */
  toBuffer(opts: { zeroBlocks?: number; recordSize?: number } = {}): Buffer {
    const body = Buffer.concat([...this.parts, Buffer.alloc((opts.zeroBlocks ?? 2) * BLOCK)]);
    const record = opts.recordSize ?? 0;
    if (record > 0 && body.length % record !== 0) return Buffer.concat([body, Buffer.alloc(record - (body.length % record))]);
    return body;
  }
}

// ---------------------------------------------------------------- kits

const FAKE_KEY = 'airlock-test-signing-key';

/** The fake bundle for a SHA256SUMS: an HMAC of its bytes, wrapped in JSON. */
export function fakeBundle(sums: Uint8Array): Buffer {
  const mac = createHmac('sha256', FAKE_KEY).update(sums).digest('hex');
  return Buffer.from(JSON.stringify({ fakeSignature: mac }) + '\n');
}

export const FAKE_VERDICT: SignatureVerdict = {
  signer: { kind: 'key', keyHint: 'ZmFrZS1rZXktaGludA==', fingerprint: 'f'.repeat(64) },
  publisher: 'test-publisher',
  bundleMediaType: 'application/vnd.dev.sigstore.bundle.v0.3+json',
  content: 'message-signature',
  tlogEntries: [],
  timestamps: [],
};

/** Accepts iff the bundle is fakeBundle(sums); throws SIG_INVALID otherwise. Counts calls. */
export class FakeSignatureChecker {
  calls = 0;
  verifyKitSums(bundle: Uint8Array, sums: Uint8Array): SignatureVerdict {
    this.calls++;
    if (!Buffer.from(bundle).equals(fakeBundle(sums))) {
      throw new AirlockError('SIG_INVALID', 'fake signature does not match SHA256SUMS', { path: 'SHA256SUMS.sigstore.json' });
    }
    return FAKE_VERDICT;
  }
}

export interface KitFile {
  path: string;
  body: Buffer;
  /** 0o644 unless given. */
  mode?: number;
}

export const sha256Hex = (b: Uint8Array | string): string => createHash('sha256').update(b).digest('hex');

export function baseManifest(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { schema: 'airlock.kit/v1', name: 'hello', version: '1.0.0', created: '2026-01-31T12:00:00Z', ...extra };
}

function compareBytes(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}

export interface MakeKitOptions {
  /** kit.json content: an object (JSON-encoded) or raw text. */
  manifest?: Record<string, unknown> | string;
  /** Files besides the three root files. */
  files?: Record<string, string | Uint8Array>;
  /** Modes by path. */
  modes?: Record<string, number>;
  /** Replace SHA256SUMS with this text (the bundle then signs it). */
  sums?: string;
  /** Extra SHA256SUMS lines (signed). */
  extraSumsLines?: string[];
  /** Leave these paths out of SHA256SUMS (they stay in the kit). */
  unlisted?: string[];
  /** Leave out the bundle. */
  unsigned?: boolean;
  /** Use this bundle instead of a valid one. */
  bundle?: Uint8Array;
}

/**
 * A kit tree in memory, in the builder's order: bundle, SHA256SUMS, kit.json,
 * then every other file sorted byte-wise. Edit the result to tamper with it.
 */
export function makeKitFiles(opts: MakeKitOptions = {}): KitFile[] {
  const manifestText = typeof opts.manifest === 'string' ? opts.manifest : JSON.stringify(opts.manifest ?? baseManifest(), null, 2) + '\n';
  const others: KitFile[] = Object.entries(opts.files ?? { 'payload/hello.txt': 'hello\n' }).map(([p, body]) => ({
    path: p,
    body: Buffer.from(body),
    ...(opts.modes?.[p] !== undefined ? { mode: opts.modes[p] } : {}),
  }));
  others.sort((a, b) => compareBytes(a.path, b.path));
  const manifestFile: KitFile = { path: 'kit.json', body: Buffer.from(manifestText) };
  const listed = [manifestFile, ...others].filter((f) => !(opts.unlisted ?? []).includes(f.path));
  const lines = listed.map((f) => `${sha256Hex(f.body)}  ${f.path}\n`).concat((opts.extraSumsLines ?? []).map((l) => `${l}\n`));
  lines.sort((a, b) => compareBytes(a.slice(66), b.slice(66)));
  const sums = Buffer.from(opts.sums ?? lines.join(''));
  const bundle = opts.bundle ? Buffer.from(opts.bundle) : fakeBundle(sums);
  const root: KitFile[] = [
    ...(opts.unsigned ? [] : [{ path: 'SHA256SUMS.sigstore.json', body: bundle }]),
    { path: 'SHA256SUMS', body: sums },
    manifestFile,
  ];
  return [...root, ...others];
}

export function replaceFile(files: KitFile[], p: string, body: string | Uint8Array): KitFile[] {
  return files.map((f) => (f.path === p ? { ...f, body: Buffer.from(body) } : f));
}

export interface KitTarOptions {
  /** Add a directory record before the first file in each folder. */
  dirRecords?: boolean;
  /** Prefix every entry with "./" (and add a "./" root record), as `tar -C dir .` does. */
  dotSlash?: boolean;
  /** How long paths are stored (ustar when they fit, else this). */
  pathStyle?: 'ustar' | 'pax' | 'gnu';
  /** Pad to tar's 10 KiB record. */
  recordSize?: number;
}

/** A kit tree as a tar archive, entries in the order given. */
export function kitTar(files: KitFile[], opts: KitTarOptions = {}): Buffer {
  const t = new TarBuilder();
  const seenDirs = new Set<string>();
  const pre = opts.dotSlash ? './' : '';
  if (opts.dotSlash && opts.dirRecords) t.dir('./');
  for (const f of files) {
    if (opts.dirRecords) {
      const parts = f.path.split('/');
      for (let i = 1; i < parts.length; i++) {
        const d = parts.slice(0, i).join('/');
        if (!seenDirs.has(d)) {
          seenDirs.add(d);
          t.dir(`${pre}${d}/`);
        }
      }
    }
    const style = opts.pathStyle && opts.pathStyle !== 'ustar' && Buffer.byteLength(pre + f.path) > 100 ? opts.pathStyle : undefined;
    t.file(pre + f.path, f.body, { mode: f.mode ?? 0o644, ...(style ? { pathStyle: style } : {}) });
  }
  return t.toBuffer({ recordSize: opts.recordSize ?? 10240 });
}

export const gzip = (b: Uint8Array): Buffer => gzipSync(b);
export const zstd = (b: Uint8Array): Buffer => zstdCompressSync(b);

/** Writes a kit tree as an unpacked kit folder. */
export async function writeKitDir(dir: string, files: KitFile[]): Promise<string> {
  await mkdir(dir, { recursive: true });
  for (const f of files) {
    const target = path.join(dir, ...f.path.split('/'));
    await mkdir(path.dirname(target), { recursive: true });
    await writeFile(target, f.body, { mode: f.mode ?? 0o644 });
  }
  return dir;
}

export interface SplitResult {
  indexPath: string;
  partPaths: string[];
  index: { schema: string; kit: string; size: number; sha256: string; parts: Array<{ name: string; size: number; sha256: string }> };
}

/** Cuts an archive into `<kitFile>.partNNN` files of `partSize` bytes, with (by default) a parts index. */
export async function writeSplitKit(dir: string, kitFile: string, archive: Uint8Array, partSize: number, opts: { index?: boolean } = {}): Promise<SplitResult> {
  await mkdir(dir, { recursive: true });
  const buf = Buffer.from(archive);
  const parts: SplitResult['index']['parts'] = [];
  const partPaths: string[] = [];
  for (let off = 0, n = 1; off < buf.length; off += partSize, n++) {
    const name = `${kitFile}.part${String(n).padStart(3, '0')}`;
    const body = buf.subarray(off, Math.min(buf.length, off + partSize));
    const p = path.join(dir, name);
    await writeFile(p, body);
    parts.push({ name, size: body.length, sha256: sha256Hex(body) });
    partPaths.push(p);
  }
  const index = { schema: 'airlock.parts/v1', kit: kitFile, size: buf.length, sha256: sha256Hex(buf), parts };
  const indexPath = path.join(dir, `${kitFile}.parts.json`);
  if (opts.index !== false) await writeFile(indexPath, JSON.stringify(index, null, 2) + '\n');
  return { indexPath, partPaths, index };
}

// ---------------------------------------------------------------- OCI layouts

export interface OciLayoutFixture {
  /** Files of the layout, paths relative to the kit root (under `prefix`). */
  files: Record<string, Buffer>;
  /** Digest of the single-platform manifest, of the nested index, of the layer. */
  manifestDigest: string;
  nestedIndexDigest: string;
  layerPath: string;
  configPath: string;
  armManifestPath: string;
}

function blob(files: Record<string, Buffer>, prefix: string, content: Buffer | string): { digest: string; size: number; path: string } {
  const body = Buffer.from(content);
  const hex = sha256Hex(body);
  const p = `${prefix}blobs/sha256/${hex}`;
  files[p] = body;
  return { digest: `sha256:${hex}`, size: body.length, path: p };
}

/**
 * A tiny OCI layout: a config, one layer, a manifest tagged "registry.example/app/api:1.2.3",
 * and a nested multi-platform index (amd64 + arm64) tagged "registry.example/app/multi:2.0.0".
 */
export function makeOciLayout(prefix = 'images/'): OciLayoutFixture {
  const files: Record<string, Buffer> = {};
  const config = blob(files, prefix, JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [] } }));
  const layer = blob(files, prefix, gzipSync(Buffer.from('layer bytes, not really a tar\n')));
  const manifestJson = (cfg: { digest: string; size: number }) =>
    JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: cfg.digest, size: cfg.size },
      layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: layer.digest, size: layer.size }],
    });
  const manifest = blob(files, prefix, manifestJson(config));
  const armConfig = blob(files, prefix, JSON.stringify({ architecture: 'arm64', os: 'linux', rootfs: { type: 'layers', diff_ids: [] } }));
  const armManifest = blob(files, prefix, manifestJson(armConfig));
  const nested = blob(
    files,
    prefix,
    JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.index.v1+json',
      manifests: [
        { mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: manifest.digest, size: manifest.size, platform: { architecture: 'amd64', os: 'linux' } },
        { mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: armManifest.digest, size: armManifest.size, platform: { architecture: 'arm64', os: 'linux' } },
      ],
    }),
  );
  files[`${prefix}oci-layout`] = Buffer.from(JSON.stringify({ imageLayoutVersion: '1.0.0' }));
  files[`${prefix}index.json`] = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.index.v1+json',
      manifests: [
        { mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: manifest.digest, size: manifest.size, annotations: { 'org.opencontainers.image.ref.name': 'registry.example/app/api:1.2.3' } },
        { mediaType: 'application/vnd.oci.image.index.v1+json', digest: nested.digest, size: nested.size, annotations: { 'org.opencontainers.image.ref.name': 'registry.example/app/multi:2.0.0' } },
      ],
    }),
  );
  return { files, manifestDigest: manifest.digest, nestedIndexDigest: nested.digest, layerPath: layer.path, configPath: config.path, armManifestPath: armManifest.path };
}

// ---------------------------------------------------------------- rule tables

/** One case per KIT_PATH_UNSAFE rule of KIT-FORMAT §2: [what, path]. */
export const UNSAFE_PATHS: Array<[string, string]> = [
  ['absolute', '/etc/passwd'],
  ['drive letter', 'C:/Windows/x'],
  ['drive letter without slash', 'c:x'],
  ['".." component', '../escape'],
  ['".." inside', 'payload/../../escape'],
  ['"." component', 'payload/./x'],
  ['empty component', 'payload//x'],
  ['trailing slash on a file', 'payload/x/'],
  ['backslash', 'payload\\x'],
  ['colon', 'payload/a:b'],
  ['NUL', 'payload/a\u0000b'],
  ['control character', 'payload/a\u0001b'],
  ['DEL', 'payload/a\u007fb'],
  ['C1 control', 'payload/a\u0085b'],
  ['trailing dot', 'payload/name.'],
  ['trailing dot on a folder', 'payload./x'],
  ['trailing space', 'payload/name '],
  ['reserved CON', 'payload/CON'],
  ['reserved con with extension', 'payload/con.txt'],
  ['reserved PRN', 'PRN.log'],
  ['reserved Aux any case', 'payload/aUx.tar.gz'],
  ['reserved NUL', 'nul'],
  ['reserved COM1', 'payload/COM1'],
  ['reserved com9 with extension', 'payload/com9.json'],
  ['reserved LPT1', 'lpt1'],
  ['reserved Lpt9 with extension', 'payload/Lpt9.txt'],
  ['reserved COM superscript', 'payload/COM\u00b9'],
  ['reserved CONIN$', 'CONIN$'],
  ['reserved name as folder', 'aux/file.txt'],
  ['reserved name with trailing space before extension', 'con .txt'],
  ['component over 255 bytes', `payload/${'x'.repeat(256)}`],
  ['path over 240 bytes', `${'d'.repeat(100)}/${'d'.repeat(100)}/${'f'.repeat(41)}`],
  ['multi-byte path over 240 bytes', `payload/${'é'.repeat(117)}`],
  ['not NFC', 'payload/e\u0301.txt'],
  ['invalid UTF-8 (replacement character)', 'payload/\ufffd.bin'],
  ['empty', ''],
];

const SUMS_A = 'a'.repeat(64);
const SUMS_B = 'b'.repeat(64);

/** One case per SHA256SUMS malformation of KIT-FORMAT §3: [what, text, line]. */
export const MALFORMED_SUMS: Array<[string, string, number]> = [
  ['CRLF line end', `${SUMS_A}  kit.json\r\n`, 1],
  ['blank line', `${SUMS_A}  kit.json\n\n${SUMS_B}  payload/x\n`, 2],
  ['comment line', `# made by hand\n${SUMS_A}  kit.json\n`, 1],
  ['escaped name', `\\${SUMS_A}  payload/a\\nb\n`, 1],
  ['upper-case hex', `${SUMS_A.toUpperCase()}  kit.json\n`, 1],
  ['short digest', `${SUMS_A.slice(1)}  kit.json\n`, 1],
  ['single space', `${SUMS_A} kit.json\n`, 1],
  ['tab separator', `${SUMS_A}\tkit.json\n`, 1],
  ['unsorted', `${SUMS_A}  payload/b\n${SUMS_B}  payload/a\n`, 2],
  ['duplicate', `${SUMS_A}  payload/a\n${SUMS_B}  payload/a\n`, 2],
  ['lists SHA256SUMS', `${SUMS_A}  SHA256SUMS\n`, 1],
  ['lists the bundle', `${SUMS_A}  SHA256SUMS.sigstore.json\n`, 1],
  ['no final LF', `${SUMS_A}  kit.json`, 1],
  ['unsafe path', `${SUMS_A}  ../etc/passwd\n`, 1],
  ['path not in normal form', `${SUMS_A}  ./kit.json\n`, 1],
  ['directory path', `${SUMS_A}  payload/\n`, 1],
];
