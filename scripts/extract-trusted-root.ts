// Writes resources/sigstore/public-good-trusted-root.json: the Sigstore
// public-good trusted_root.json exactly as embedded (base64) in the TUF seed of
// the pinned @sigstore/tuf package. Byte-identical to the TUF target, so its
// digest can be checked against the signed TUF metadata. Run after updating
// @sigstore/tuf:  node scripts/extract-trusted-root.ts
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const PUBLIC_GOOD_TUF_URL = 'https://tuf-repo-cdn.sigstore.dev';
export const OUTPUT_RELATIVE_PATH = 'resources/sigstore/public-good-trusted-root.json';

/** The trusted_root.json bytes from the text of @sigstore/tuf's seeds.json. */
export function extractPublicGoodTrustedRoot(seedsJson: string): Buffer {
  const seeds = JSON.parse(seedsJson) as Record<string, { targets?: Record<string, unknown> } | undefined>;
  const target = seeds[PUBLIC_GOOD_TUF_URL]?.targets?.['trusted_root.json'];
  if (typeof target !== 'string') throw new Error(`seeds.json has no ${PUBLIC_GOOD_TUF_URL} trusted_root.json target`);
  const bytes = Buffer.from(target, 'base64');
  const root = JSON.parse(bytes.toString('utf8')) as { mediaType?: unknown };
  if (typeof root.mediaType !== 'string' || !root.mediaType.startsWith('application/vnd.dev.sigstore.trustedroot')) {
    throw new Error('the seed target is not a Sigstore trusted root');
  }
  return bytes;
}

export function seedsJsonPath(): string {
  return createRequire(import.meta.url).resolve('@sigstore/tuf/seeds.json');
}

export function repoRoot(): string {
  return path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
}

if (process.argv[1] !== undefined && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const bytes = extractPublicGoodTrustedRoot(fs.readFileSync(seedsJsonPath(), 'utf8'));
  const out = path.join(repoRoot(), OUTPUT_RELATIVE_PATH);
  fs.mkdirSync(path.dirname(out), { recursive: true });
  fs.writeFileSync(out, bytes);
  process.stdout.write(`wrote ${out} (${bytes.length} bytes)\n`);
}
