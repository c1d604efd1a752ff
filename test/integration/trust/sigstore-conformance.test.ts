// The upstream sigstore-conformance "bundle-verify" cases (real public-good and
// staging bundles) run through `airlock verify-blob`, fully offline. A case
// whose name ends in _fail must exit 1 with a signature or bundle code; the
// others must exit 0. Cases where sigstore-js offline cannot do what the name
// says would be listed with what actually happens; today every case behaves
// as named. EXPECTED_CODES pins the reason Airlock gives for each failing case
// (docs/trust-policy.md, "Known conformance differences", explains where that
// reason differs from what sigstore-js alone would report).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { verifyBlobCommand } from '../../../electron/cli/commands/verify-blob.ts';
import { publicGoodTrustedRootPath } from '../../../electron/core/trust/trust-policy.ts';
import { runCli } from './cli-run.ts';

// Only verify-blob is registered, so this suite does not depend on other commands' modules.
vi.mock('../../../electron/cli/commands/index.ts', () => ({ COMMANDS: [verifyBlobCommand] }));

const here = path.dirname(fileURLToPath(import.meta.url));
const CASES_DIR = path.resolve(here, '../../../../shared/testdata/sigstore-conformance');
const DEFAULT_IDENTITY = 'https://github.com/sigstore-conformance/extremely-dangerous-public-oidc-beacon/.github/workflows/extremely-dangerous-oidc-beacon.yml@refs/heads/main';
const DEFAULT_ISSUER = 'https://token.actions.githubusercontent.com';
const FAILURE_CODES = ['SIG_INVALID', 'SIG_UNTRUSTED', 'SIG_TLOG', 'SIG_TIMESTAMP', 'BUNDLE_INVALID'];

/** The code each failing case must produce (the most useful reason; see docs/trust-policy.md). */
const EXPECTED_CODES: Record<string, string> = {
  'bundle-empty-certificate-chain_fail': 'BUNDLE_INVALID',
  'bundle-invalid-base64-signature_fail': 'BUNDLE_INVALID',
  'bundle-negative-log-index_fail': 'BUNDLE_INVALID',
  'bundle-with-root-cert_fail': 'BUNDLE_INVALID',
  'checkpoint-bad-keyhint_fail': 'SIG_TLOG',
  'dsse-invalid-sig_fail': 'SIG_INVALID',
  'dsse-mismatch-sig_fail': 'SIG_INVALID',
  'inclusion-proof-corrupted-hash_fail': 'SIG_TLOG',
  'integrated-time-in-future_fail': 'SIG_UNTRUSTED',
  'intoto-log-entry-mismatch_fail': 'SIG_INVALID',
  'intoto-set-outside-signing-cert-validity_fail': 'SIG_UNTRUSTED',
  'invalid-ct-key_fail': 'SIG_UNTRUSTED',
  'managed-key-no-key_fail': 'SIG_UNTRUSTED',
  'message-digest-mismatch_fail': 'SIG_INVALID',
  'rekor2-checkpoint-missing-log-signature_fail': 'SIG_TLOG',
  'rekor2-checkpoint-missing-root-hash_fail': 'SIG_TLOG',
  'rekor2-dsse-invalid-sig_fail': 'SIG_INVALID',
  'rekor2-dsse-mismatch-sig_fail': 'SIG_INVALID',
  'rekor2-no-inclusion-proof_fail': 'BUNDLE_INVALID',
  'rekor2-timestamp-outside-trust-root-tsa-validity_fail': 'SIG_TIMESTAMP',
  'rekor2-timestamp-payload-mismatch_fail': 'SIG_TIMESTAMP',
  'rekor2-timestamp-untrusted-tsa-without-embedded-cert_fail': 'SIG_TIMESTAMP',
  'signature-mismatch_fail': 'SIG_INVALID',
  'wrong-hashedrekord-artifact_fail': 'SIG_INVALID',
  'wrong-hashedrekord-entry_fail': 'SIG_INVALID',
};

const caseNames = fs.readdirSync(CASES_DIR).filter((d) => fs.statSync(path.join(CASES_DIR, d)).isDirectory()).sort();

let tmp: string;
beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'airlock-conformance-'));
});
afterAll(() => {
  fs.rmSync(tmp, { recursive: true, force: true });
});

function trustArgs(name: string): string[] {
  const dir = path.join(CASES_DIR, name);
  const has = (f: string): boolean => fs.existsSync(path.join(dir, f));
  const root = has('trusted_root.json') ? path.join(dir, 'trusted_root.json') : publicGoodTrustedRootPath();
  if (has('key.pub')) {
    // A managed key whose signature was logged: pin the key and the root, and require the log entry.
    const policy = path.join(tmp, `${name}.policy.json`);
    fs.writeFileSync(policy, JSON.stringify({
      schema: 'airlock.trust-policy/v1',
      publishers: [{ name: 'managed-key', keys: [{ path: path.join(dir, 'key.pub') }], trustedRoot: root, tlogThreshold: 1 }],
    }));
    return ['--policy', policy];
  }
  const identity = has('identity') ? fs.readFileSync(path.join(dir, 'identity'), 'utf8').trim() : DEFAULT_IDENTITY;
  const issuer = has('issuer') ? fs.readFileSync(path.join(dir, 'issuer'), 'utf8').trim() : DEFAULT_ISSUER;
  return ['--trusted-root', root, '--identity', identity, '--issuer', issuer];
}

describe('sigstore-conformance bundle-verify cases via airlock verify-blob', () => {
  it('finds the cases, and knows the reason for each failing one', () => {
    expect(caseNames.length).toBeGreaterThanOrEqual(30);
    expect(Object.keys(EXPECTED_CODES).sort()).toEqual(caseNames.filter((n) => n.endsWith('_fail')));
  });

  for (const name of caseNames) {
    it(name, async () => {
      const dir = path.join(CASES_DIR, name);
      const artifact = fs.existsSync(path.join(dir, 'artifact')) ? path.join(dir, 'artifact') : path.join(CASES_DIR, 'a.txt');
      const result = await runCli(['verify-blob', artifact, '--bundle', path.join(dir, 'bundle.sigstore.json'), ...trustArgs(name), '--json']);
      const doc = JSON.parse(result.stdout) as { ok: boolean; error?: { code: string; message: string }; signature?: { publisher: string } };
      if (name.endsWith('_fail')) {
        expect(result.exitCode, result.stdout).toBe(1);
        expect(doc.ok).toBe(false);
        expect(FAILURE_CODES).toContain(doc.error?.code);
        expect(doc.error?.code, doc.error?.message).toBe(EXPECTED_CODES[name]);
      } else {
        expect(result.exitCode, result.stdout).toBe(0);
        expect(doc.ok).toBe(true);
        expect(doc.signature?.publisher).toBeDefined();
      }
    });
  }

  it('happy-path-v0.1 reports the public-good log entry and its timestamp', async () => {
    const dir = path.join(CASES_DIR, 'happy-path-v0.1');
    const result = await runCli(['verify-blob', path.join(CASES_DIR, 'a.txt'), '--bundle', path.join(dir, 'bundle.sigstore.json'), ...trustArgs('happy-path-v0.1'), '--json']);
    const doc = JSON.parse(result.stdout) as { signature: { signer: { kind: string; subject: string; issuer: string }; tlogEntries: { integratedTime: string; logId: string }[]; timestamps: { source: string; time: string }[] } };
    expect(doc.signature.signer).toMatchObject({ kind: 'keyless', subject: DEFAULT_IDENTITY, issuer: DEFAULT_ISSUER });
    // integratedTime 1689177396 in the bundle.
    expect(doc.signature.tlogEntries).toHaveLength(1);
    expect(doc.signature.tlogEntries[0]!.integratedTime).toBe('2023-07-12T15:56:36Z');
    expect(doc.signature.timestamps).toEqual([{ source: 'transparency-log', time: '2023-07-12T15:56:36Z' }]);
  });

  it('bundle-with-root-cert_fail fails for its own reason even with the signer\'s identity', async () => {
    const dir = path.join(CASES_DIR, 'bundle-with-root-cert_fail');
    const result = await runCli(['verify-blob', path.join(dir, 'artifact'), '--bundle', path.join(dir, 'bundle.sigstore.json'),
      '--trusted-root', publicGoodTrustedRootPath(), '--identity', 'a@tny.town', '--issuer', 'https://github.com/login/oauth', '--json']);
    expect(result.exitCode).toBe(1);
    const doc = JSON.parse(result.stdout) as { error: { code: string; message: string } };
    expect(doc.error.code).toBe('BUNDLE_INVALID');
    expect(doc.error.message).toMatch(/self-signed root certificate/);
  });

  it('a managed-key bundle verifies with --key alone; its log entry is not counted without a pinned root', async () => {
    const dir = path.join(CASES_DIR, 'managed-key-and-trusted-root');
    const result = await runCli(['verify-blob', path.join(CASES_DIR, 'a.txt'), '--bundle', path.join(dir, 'bundle.sigstore.json'), '--key', path.join(dir, 'key.pub'), '--json']);
    expect(result.exitCode, result.stdout).toBe(0);
    const doc = JSON.parse(result.stdout) as { signature: { publisher: string; tlogEntries: unknown[]; signer: { keyHint: string } } };
    expect(doc.signature.publisher).toBe('cli-keys');
    expect(doc.signature.tlogEntries).toEqual([]);
    expect(doc.signature.signer.keyHint).toBe('TLMsSDfG3ajPsWge+z/vX5T/zluXnmvbkTkwLIV68Tk=');
  });

  it('a managed key pinned with its trusted root must meet the policy\'s log threshold', async () => {
    const dir = path.join(CASES_DIR, 'managed-key-and-trusted-root');
    const policy = path.join(tmp, 'managed-key-two-entries.json');
    fs.writeFileSync(policy, JSON.stringify({
      schema: 'airlock.trust-policy/v1',
      publishers: [{ name: 'managed-key', keys: [{ path: path.join(dir, 'key.pub') }], trustedRoot: path.join(dir, 'trusted_root.json'), tlogThreshold: 2 }],
    }));
    const result = await runCli(['verify-blob', path.join(CASES_DIR, 'a.txt'), '--bundle', path.join(dir, 'bundle.sigstore.json'), '--policy', policy, '--json']);
    expect(result.exitCode).toBe(1);
    expect(JSON.parse(result.stdout).error.code).toBe('SIG_TLOG');
  });
});
