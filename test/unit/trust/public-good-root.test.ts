import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { extractPublicGoodTrustedRoot, OUTPUT_RELATIVE_PATH, repoRoot, seedsJsonPath } from '../../../scripts/extract-trusted-root.ts';
import { loadTrustedRoot, publicGoodTrustedRootPath } from '../../../electron/core/trust/trust-policy.ts';

describe('resources/sigstore/public-good-trusted-root.json', () => {
  it('is exactly what scripts/extract-trusted-root.ts extracts from the pinned @sigstore/tuf seed', () => {
    const committed = fs.readFileSync(path.join(repoRoot(), OUTPUT_RELATIVE_PATH));
    const extracted = extractPublicGoodTrustedRoot(fs.readFileSync(seedsJsonPath(), 'utf8'));
    expect(committed.equals(extracted)).toBe(true);
    expect(publicGoodTrustedRootPath()).toBe(path.join(repoRoot(), OUTPUT_RELATIVE_PATH));
  });

  it('loads as a trusted root with the public-good Rekor and Fulcio', async () => {
    const root = await loadTrustedRoot(publicGoodTrustedRootPath());
    expect(root.root.tlogs.map((t) => t.baseUrl)).toContain('https://rekor.sigstore.dev');
    expect(root.root.certificateAuthorities.map((c) => c.uri)).toContain('https://fulcio.sigstore.dev');
    expect(root.material.ctlogs.length).toBeGreaterThan(0);
  });

  it('refuses a seed file without the trusted root target', () => {
    expect(() => extractPublicGoodTrustedRoot('{}')).toThrow(/no https:\/\/tuf-repo-cdn.sigstore.dev trusted_root.json/);
  });
});
