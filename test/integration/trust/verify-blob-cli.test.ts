import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { verifyBlobCommand } from '../../../electron/cli/commands/verify-blob.ts';
import { loadSigningKey, signMessageBundle, type SigningKey } from '../../../electron/core/trust/sign-blob.ts';
import { makeP256KeyPair, writeKeyPair } from '../../helpers/sigstore-keys.ts';
import { runCli } from './cli-run.ts';

vi.mock('../../../electron/cli/commands/index.ts', () => ({ COMMANDS: [verifyBlobCommand] }));

let dir: string;
let key: SigningKey;

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'airlock-verify-blob-'));
  const { pair } = await writeKeyPair(dir, 'publisher');
  key = loadSigningKey(pair.privatePem, 'publisher.key.pem');
  await writeKeyPair(dir, 'stranger', makeP256KeyPair());
  const data = Buffer.from('release notes\n');
  fs.writeFileSync(path.join(dir, 'notes.txt'), data);
  fs.writeFileSync(path.join(dir, 'notes.txt.sigstore.json'), JSON.stringify(signMessageBundle(data, key)));
  fs.writeFileSync(path.join(dir, 'policy.json'), JSON.stringify({ schema: 'airlock.trust-policy/v1', publishers: [{ name: 'acme', keys: [{ path: 'publisher.pub.pem' }] }] }));
});

afterAll(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('airlock verify-blob', () => {
  it('prints an OK line with the signer fingerprint, publisher and evidence counts', async () => {
    const r = await runCli(['verify-blob', 'notes.txt', '--bundle', 'notes.txt.sigstore.json', '--key', 'publisher.pub.pem'], dir);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^OK {2}notes\.txt is signed by a trusted signer/);
    expect(r.stdout).toContain(`key sha256:${key.fingerprint} (hint ${key.keyHint})`);
    expect(r.stdout).toContain('publisher:  cli-keys');
    expect(r.stdout).toContain('0 transparency-log entries, 0 timestamps');
  });

  it('prints the verdict under "signature" with --json, using a policy file', async () => {
    const r = await runCli(['verify-blob', 'notes.txt', '--bundle', 'notes.txt.sigstore.json', '--policy', 'policy.json', '--json'], dir);
    expect(r.exitCode).toBe(0);
    const doc = JSON.parse(r.stdout) as { ok: boolean; file: string; signature: { publisher: string; signer: { fingerprint: string } } };
    expect(doc.ok).toBe(true);
    expect(doc.file).toBe(path.join(dir, 'notes.txt'));
    expect(doc.signature.publisher).toBe('acme');
    expect(doc.signature.signer.fingerprint).toBe(key.fingerprint);
  });

  it('exits 1 with SIG_UNTRUSTED for a key the policy does not list', async () => {
    const r = await runCli(['verify-blob', 'notes.txt', '--bundle', 'notes.txt.sigstore.json', '--key', 'stranger.pub.pem', '--json'], dir);
    expect(r.exitCode).toBe(1);
    const doc = JSON.parse(r.stdout) as { ok: boolean; error: { code: string; message: string; path: string } };
    expect(doc.ok).toBe(false);
    expect(doc.error.code).toBe('SIG_UNTRUSTED');
    expect(doc.error.message).toContain(key.keyHint);
    expect(doc.error.path).toBe(path.join(dir, 'notes.txt.sigstore.json'));
  });

  it('exits 1 with SIG_INVALID in text mode for a changed file', async () => {
    fs.writeFileSync(path.join(dir, 'changed.txt'), 'release notes!\n');
    const r = await runCli(['verify-blob', 'changed.txt', '--bundle', 'notes.txt.sigstore.json', '--key', 'publisher.pub.pem'], dir);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toContain('airlock: SIG_INVALID');
  });

  it('exits 1 with BUNDLE_INVALID or IO_ERROR for a bad or missing bundle', async () => {
    fs.writeFileSync(path.join(dir, 'junk.json'), '{"hello":"world"}');
    const junk = await runCli(['verify-blob', 'notes.txt', '--bundle', 'junk.json', '--key', 'publisher.pub.pem', '--json'], dir);
    expect(junk.exitCode).toBe(1);
    expect(JSON.parse(junk.stdout).error.code).toBe('BUNDLE_INVALID');
    const missing = await runCli(['verify-blob', 'notes.txt', '--bundle', 'absent.json', '--key', 'publisher.pub.pem', '--json'], dir);
    expect(missing.exitCode).toBe(1);
    expect(JSON.parse(missing.stdout).error).toMatchObject({ code: 'IO_ERROR', path: path.join(dir, 'absent.json') });
  });

  it('is a usage error (exit 2) without --bundle or without trust flags', async () => {
    const noBundle = await runCli(['verify-blob', 'notes.txt', '--key', 'publisher.pub.pem', '--json'], dir);
    expect(noBundle.exitCode).toBe(2);
    expect(JSON.parse(noBundle.stdout).error.code).toBe('USAGE');
    const noTrust = await runCli(['verify-blob', 'notes.txt', '--bundle', 'notes.txt.sigstore.json'], dir);
    expect(noTrust.exitCode).toBe(2);
    expect(noTrust.stderr).toContain('USAGE');
  });
});
