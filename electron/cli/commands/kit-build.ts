import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { AirlockError } from '../../../shared/airlock-error.ts';
import { formatBytes } from '../../../shared/format.ts';
import type { KitCompression } from '../../../shared/kit-verification.ts';
import { buildKit, checkSourceDateEpoch, COMPRESSIONS, type BuildKitResult } from '../../core/kit/kit-builder.ts';
import { parseSplitSize } from '../../core/kit/kit-parts-writer.ts';
import { loadSigningKey } from '../../core/trust/sign-blob.ts';
import type { CommandContext, CommandSpec } from '../cli-types.ts';

const KEY_MAX_BYTES = 64 * 1024;

/** The compression a conventional kit file name implies, if any. */
export function compressionFromName(file: string): KitCompression | undefined {
  const name = file.toLowerCase();
  if (name.endsWith('.tar.gz') || name.endsWith('.tgz')) return 'gzip';
  if (name.endsWith('.tar.zst') || name.endsWith('.tar.zstd')) return 'zstd';
  if (name.endsWith('.tar')) return 'none';
  return undefined;
}

/**
 * --compress, else what the file name says, else gzip. A flag that contradicts
 * the name is refused: a `.kit.tar.gz` holding a plain tar misleads every tool
 * and person that trusts the name.
 */
export function chooseCompression(flag: string | undefined, out: string): KitCompression {
  const implied = compressionFromName(out);
  if (flag === undefined) return implied ?? 'gzip';
  if (!(COMPRESSIONS as readonly string[]).includes(flag)) {
    throw new AirlockError('USAGE', `--compress must be one of ${COMPRESSIONS.join(', ')}; got "${flag}"`, { field: '--compress' });
  }
  const chosen = flag as KitCompression;
  if (implied !== undefined && implied !== chosen) {
    throw new AirlockError('USAGE', `--compress ${chosen} contradicts the output name ${path.basename(out)} (which means ${implied}); rename the output or drop --compress`, { field: '--compress' });
  }
  return chosen;
}

/** --source-date-epoch, else the SOURCE_DATE_EPOCH environment variable, else undefined (kit.json `created`). */
export function chooseSourceDateEpoch(flag: string | undefined, env: NodeJS.ProcessEnv): number | undefined {
  const [value, field] = flag !== undefined ? [flag, '--source-date-epoch'] : [env.SOURCE_DATE_EPOCH, 'SOURCE_DATE_EPOCH'];
  if (value === undefined || (flag === undefined && value === '')) return undefined;
  if (!/^[0-9]+$/.test(value.trim())) {
    throw new AirlockError('USAGE', `${field} must be a whole number of seconds since 1970; got "${value}"`, { field });
  }
  const n = Number(value.trim());
  checkSourceDateEpoch(n, field);
  return n;
}

async function readKeyFile(file: string): Promise<string> {
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'does not exist' : code === 'EISDIR' ? 'is a folder' : (error as Error).message;
    throw new AirlockError('KEY_INVALID', `signing key ${file} ${why}`, { path: file, cause: error });
  }
  if (bytes.length > KEY_MAX_BYTES) throw new AirlockError('KEY_INVALID', `signing key ${file} is larger than ${KEY_MAX_BYTES} bytes; not a PEM key`, { path: file });
  return bytes.toString('utf8');
}

export function buildResultText(r: BuildKitResult): string {
  const lines = [
    `Built ${r.name}@${r.version}: ${r.kitPath}`,
    `  archive:    ${formatBytes(r.archiveSize)} (${r.archiveSize} bytes), ${r.compression === 'none' ? 'uncompressed' : r.compression}`,
    `  sha256:     ${r.archiveSha256}`,
    `  SHA256SUMS: sha256:${r.sumsSha256}`,
    `  files:      ${r.fileCount} (${formatBytes(r.totalBytes)})`,
    `  signed by:  key ${r.keyFingerprint} (hint ${r.keyHint})`,
    `  mtime:      ${r.sourceDateEpoch} (${new Date(r.sourceDateEpoch * 1000).toISOString()}, from ${r.sourceDateEpochFrom === 'option' ? '--source-date-epoch / SOURCE_DATE_EPOCH' : 'kit.json created'})`,
  ];
  if (r.parts) {
    for (const p of r.parts) lines.push(`  part:       ${p.name}  ${p.size} bytes  sha256:${p.sha256}`);
    lines.push(`  index:      ${r.partsIndexPath}`);
  }
  for (const f of r.ignored) lines.push(`  note:       ignored ${f} in the input folder; it was regenerated and signed anew`);
  for (const f of r.removed) lines.push(`  note:       removed ${f} (older output of the same name, --force)`);
  lines.push('  self-check: the built kit verified with the signing key\'s public key');
  return lines.join('\n');
}

export const kitBuildCommand: CommandSpec = {
  words: ['kit', 'build'],
  summary: 'build a signed, deterministic kit from a folder holding kit.json',
  usage: 'kit build DIR --out FILE --key PRIV.pem [--compress none|gzip|zstd] [--split-size BYTES|fat32] [--source-date-epoch N] [--force] [--json]',
  help: [
    'DIR holds kit.json and every file of the kit; SHA256SUMS and SHA256SUMS.sigstore.json are generated',
    '(copies already in DIR are ignored). --key is a PKCS#8 or SEC1 PEM ECDSA P-256 private key.',
    '--compress defaults to what the --out name says (.tar, .tar.gz, .tar.zst), else gzip.',
    '--split-size cuts the archive into FILE.part001… with an index FILE.parts.json; "fat32" = 4,294,901,760 bytes.',
    'Entry mtimes come from --source-date-epoch, else $SOURCE_DATE_EPOCH, else kit.json "created".',
    'The kit is verified with the key\'s public half before it is moved into place; a failed build writes nothing.',
  ].join('\n'),
  options: {
    out: { type: 'string', short: 'o' },
    key: { type: 'string' },
    compress: { type: 'string' },
    'split-size': { type: 'string' },
    'source-date-epoch': { type: 'string' },
    force: { type: 'boolean' },
  },
  positionals: { min: 1, max: 1 },
  async run(ctx: CommandContext) {
    const o = ctx.options;
    const out = o.out as string | undefined;
    const keyPath = o.key as string | undefined;
    if (out === undefined) throw new AirlockError('USAGE', 'say where to write the kit: --out FILE', { field: '--out' });
    if (keyPath === undefined) throw new AirlockError('USAGE', 'say which key signs the kit: --key PRIV.pem', { field: '--key' });
    const outPath = ctx.resolvePath(out);
    const compress = chooseCompression(o.compress as string | undefined, outPath);
    const splitOption = o['split-size'] as string | undefined;
    const splitSize = splitOption === undefined ? undefined : parseSplitSize(splitOption);
    const sourceDateEpoch = chooseSourceDateEpoch(o['source-date-epoch'] as string | undefined, ctx.io.env);
    const keyFile = ctx.resolvePath(keyPath);
    const signingKey = loadSigningKey(await readKeyFile(keyFile), keyFile);
    const result = await buildKit({
      dir: ctx.resolvePath(ctx.positionals[0]!),
      out: outPath,
      signingKey,
      compress,
      ...(splitSize === undefined ? {} : { splitSize }),
      ...(sourceDateEpoch === undefined ? {} : { sourceDateEpoch }),
      force: o.force === true,
      onProgress: ctx.progress,
      signal: ctx.signal,
    });
    return { json: { build: result }, text: buildResultText(result) };
  },
};
