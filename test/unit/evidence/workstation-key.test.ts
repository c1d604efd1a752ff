import { createPublicKey, sign, verify } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { loadOrCreateWorkstationKey, formatFingerprint } from '../../../electron/core/evidence/workstation-key.ts';
import { fingerprintOf } from '../../../electron/core/trust/key-identity.ts';

let tmp: string;
beforeEach(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'airlock-wskey-'));
});
afterEach(() => {
  fs.rmSync(tmp, { recursive: true, force: true });
});

const posix = process.platform !== 'win32';

it('creates a P-256 key on first use, owner-only, with its public key beside it', () => {
  const key = loadOrCreateWorkstationKey(tmp);
  expect(key.created).toBe(true);
  expect(key.keyPath).toBe(path.join(tmp, 'keys', 'workstation.key.pem'));
  expect(fs.readFileSync(key.keyPath, 'utf8')).toMatch(/^-----BEGIN PRIVATE KEY-----/);
  if (posix) {
    expect(fs.statSync(key.keyPath).mode & 0o777).toBe(0o600);
    expect(fs.statSync(path.join(tmp, 'keys')).mode & 0o777).toBe(0o700);
  }
  const pub = createPublicKey(fs.readFileSync(key.publicKeyPath, 'utf8'));
  expect(pub.asymmetricKeyDetails?.namedCurve).toBe('prime256v1');
  expect(key.fingerprint).toBe(fingerprintOf(pub.export({ type: 'spki', format: 'der' })));
  expect(fs.readdirSync(path.join(tmp, 'keys')).sort()).toEqual(['workstation.key.pem', 'workstation.pub.pem']);
});

it('loads the same key later and never overwrites it', () => {
  const first = loadOrCreateWorkstationKey(tmp);
  const bytes = fs.readFileSync(first.keyPath);
  const again = loadOrCreateWorkstationKey(tmp);
  expect(again.created).toBe(false);
  expect(again.fingerprint).toBe(first.fingerprint);
  expect(fs.readFileSync(first.keyPath).equals(bytes)).toBe(true);
  const data = Buffer.from('evidence');
  expect(verify('sha256', data, createPublicKey(again.publicKeyPem), sign('sha256', data, again.signingKey.privateKey))).toBe(true);
});

it('rewrites a missing or wrong public copy from the private key', () => {
  const first = loadOrCreateWorkstationKey(tmp);
  fs.writeFileSync(first.publicKeyPath, 'tampered');
  expect(loadOrCreateWorkstationKey(tmp).publicKeyPem).toBe(fs.readFileSync(first.publicKeyPath, 'utf8'));
  fs.rmSync(first.publicKeyPath);
  loadOrCreateWorkstationKey(tmp);
  expect(fs.readFileSync(first.publicKeyPath, 'utf8')).toBe(first.publicKeyPem);
});

it.runIf(posix)('refuses a private key other users can read', () => {
  const key = loadOrCreateWorkstationKey(tmp);
  fs.chmodSync(key.keyPath, 0o644);
  expect(() => loadOrCreateWorkstationKey(tmp)).toThrow(expect.objectContaining({ code: 'KEY_INVALID', path: key.keyPath }));
  // Windows has no POSIX modes; the check is skipped there.
  expect(loadOrCreateWorkstationKey(tmp, { platform: 'win32' }).fingerprint).toBe(key.fingerprint);
});

it('formats a fingerprint in groups of four', () => {
  expect(formatFingerprint('0123456789abcdef')).toBe('0123 4567 89ab cdef');
});
