import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TRUST_POLICY_CHANGE_EVENT, TrustPolicyStore } from '../../../../electron/services/trust-policy-store.ts';
import { openAuditLog } from '../../../../electron/core/evidence/audit-catalog.ts';
import { resolveTrustPolicy } from '../../../../electron/core/trust/trust-policy.ts';
import { fingerprintOf } from '../../../../electron/core/trust/key-identity.ts';
import { createMockSigstore, makeEd25519KeyPair, makeP256KeyPair } from '../../../helpers/sigstore-keys.ts';

let dir: string;
let store: TrustPolicyStore;
const policyPath = (): string => path.join(dir, 'trust-policy.json');

beforeEach(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'airlock-trust-store-'));
  store = new TrustPolicyStore({ policyPath: policyPath() });
});

afterEach(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

const fingerprint = (pem: string): string => fingerprintOf(Buffer.from(pem.replace(/-----[^-]+-----|\s/g, ''), 'base64'));

describe('TrustPolicyStore', () => {
  it('reports no policy yet, and verification refuses with TRUST_POLICY_MISSING', async () => {
    expect(await store.settings()).toEqual({ policyPath: policyPath(), exists: false, publishers: [] });
    await expect(store.trustInput()).rejects.toMatchObject({ code: 'TRUST_POLICY_MISSING', path: policyPath() });
  });

  it('adds a key as inline PEM to a new policy the core loads, and shows its fingerprint', async () => {
    const key = makeP256KeyPair();
    const settings = await store.addKey({ publisher: ' Example Corp ', pem: key.publicPem });
    expect(settings.exists).toBe(true);
    expect(settings.publishers).toEqual([
      { name: 'Example Corp', keys: [{ fingerprint: fingerprint(key.publicPem), keyHint: expect.any(String), source: 'stored in the policy' }], keyless: [], trustedRoot: null, tlogThreshold: 0, timestampThreshold: 0, allowDowngrade: false },
    ]);
    expect(await store.trustInput()).toEqual({ policyFile: policyPath() });
    const resolved = await resolveTrustPolicy({ policyFile: policyPath() });
    expect(resolved.publishers[0]!.keys[0]!.fingerprint).toBe(fingerprint(key.publicPem));
    const leftovers = (await fs.readdir(dir)).filter((f) => f.endsWith('.tmp'));
    expect(leftovers).toEqual([]);
  });

  it('adds a second key to the same publisher and ignores a key added twice', async () => {
    const a = makeP256KeyPair();
    const b = makeP256KeyPair();
    await store.addKey({ publisher: 'Acme', pem: a.publicPem });
    await store.addKey({ publisher: 'Acme', pem: a.publicPem });
    const settings = await store.addKey({ publisher: 'Acme', pem: b.publicPem });
    expect(settings.publishers[0]!.keys.map((k) => k.fingerprint)).toEqual([fingerprint(a.publicPem), fingerprint(b.publicPem)]);
  });

  it('refuses a key pinned for another publisher, a private key and an Ed25519 key, leaving the file alone', async () => {
    const a = makeP256KeyPair();
    await store.addKey({ publisher: 'Acme', pem: a.publicPem });
    const before = await fs.readFile(policyPath(), 'utf8');
    await expect(store.addKey({ publisher: 'Other', pem: a.publicPem })).rejects.toMatchObject({ code: 'POLICY_INVALID', field: 'pem' });
    await expect(store.addKey({ publisher: 'Other', pem: a.privatePem })).rejects.toMatchObject({ code: 'KEY_INVALID' });
    await expect(store.addKey({ publisher: 'Other', pem: makeEd25519KeyPair().publicPem })).rejects.toMatchObject({ code: 'KEY_INVALID' });
    expect(await fs.readFile(policyPath(), 'utf8')).toBe(before);
  });

  it('adds a keyless identity on the pinned public-good root, or on an uploaded trusted root', async () => {
    let settings = await store.addKeyless({ publisher: 'CI', issuer: 'https://token.actions.githubusercontent.com', subject: 'https://github.com/acme/kits/.github/workflows/release.yml@refs/heads/main' });
    expect(settings.publishers[0]).toMatchObject({ name: 'CI', trustedRoot: 'public-good', tlogThreshold: 1, timestampThreshold: 1, keyless: [{ issuer: 'https://token.actions.githubusercontent.com', subjectPattern: null }] });
    const mock = await createMockSigstore();
    settings = await store.addKeyless({ publisher: 'Private', issuer: 'https://issuer.example', subjectPattern: '^release-[0-9]+@acme\\.example$', trustedRootJson: JSON.stringify(mock.trustedRoot) });
    const priv = settings.publishers.find((p) => p.name === 'Private')!;
    expect(priv.trustedRoot).toMatch(/^trusted-roots\/[0-9a-f]{16}\.json$/);
    expect(settings.problem).toBeUndefined();
    expect((await resolveTrustPolicy({ policyFile: policyPath() })).publishers).toHaveLength(2);
  });

  it('refuses a trusted root that is not one, without writing it', async () => {
    await expect(store.addKeyless({ publisher: 'P', issuer: 'https://i.example', subject: 's', trustedRootJson: '{"mediaType":"x"}' })).rejects.toMatchObject({ code: 'TRUSTED_ROOT_INVALID', field: 'trustedRootJson' });
    await expect(fs.readdir(path.join(dir, 'trusted-roots'))).resolves.toEqual([]);
    expect((await store.settings()).exists).toBe(false);
  });

  it('removes entries, drops a publisher left empty and the file when nothing is left', async () => {
    const a = makeP256KeyPair();
    await store.addKey({ publisher: 'Acme', pem: a.publicPem });
    await store.addKeyless({ publisher: 'Acme', issuer: 'https://i.example', subject: 'me@acme.example' });
    let settings = await store.remove({ publisher: 'Acme', kind: 'key', index: 0 });
    expect(settings.publishers[0]).toMatchObject({ keys: [], keyless: [{ subject: 'me@acme.example' }] });
    settings = await store.remove({ publisher: 'Acme', kind: 'keyless', index: 0 });
    expect(settings).toEqual({ policyPath: policyPath(), exists: false, publishers: [] });
    await expect(store.remove({ publisher: 'Acme', kind: 'key', index: 0 })).rejects.toMatchObject({ code: 'POLICY_INVALID' });
  });

  it('shows a broken policy file as a problem instead of failing', async () => {
    await fs.writeFile(policyPath(), '{"schema":"airlock.trust-policy/v1","publishers":[]}');
    const settings = await store.settings();
    expect(settings).toMatchObject({ exists: true, publishers: [], problem: { code: 'POLICY_INVALID', field: 'publishers' } });
  });

  it('runs concurrent edits one after another without losing one', async () => {
    const keys = [makeP256KeyPair(), makeP256KeyPair(), makeP256KeyPair()];
    await Promise.all(keys.map((k, i) => store.addKey({ publisher: `P${i}`, pem: k.publicPem })));
    expect((await store.settings()).publishers.map((p) => p.name).sort()).toEqual(['P0', 'P1', 'P2']);
  });

  it('records every change in the audit chain: the publisher and the key fingerprint or identity, and nothing for a no-op', async () => {
    const dataDir = path.join(dir, 'data');
    const audited = new TrustPolicyStore({ policyPath: policyPath(), auditDataDir: dataDir });
    const key = makeP256KeyPair();
    await audited.addKey({ publisher: 'Acme', pem: key.publicPem });
    await audited.addKey({ publisher: 'Acme', pem: key.publicPem });
    await audited.addKeyless({ publisher: 'Acme', issuer: 'https://issuer.example', subject: 'release@acme.example' });
    await audited.remove({ publisher: 'Acme', kind: 'key', index: 0 });
    await audited.remove({ publisher: 'Acme', kind: 'keyless', index: 0 });
    await expect(audited.remove({ publisher: 'Acme', kind: 'key', index: 0 })).rejects.toMatchObject({ code: 'POLICY_INVALID' });

    const audit = openAuditLog(dataDir);
    try {
      const records = audit.log.list();
      expect(records.map((r) => r.type)).toEqual(Array(4).fill(TRUST_POLICY_CHANGE_EVENT));
      expect(records.map((r) => r.data)).toEqual([
        { action: 'add-key', publisher: 'Acme', fingerprint: fingerprint(key.publicPem), policyPath: policyPath(), policySha256: expect.stringMatching(/^[0-9a-f]{64}$/) },
        {
          action: 'add-identity', publisher: 'Acme', issuer: 'https://issuer.example', subject: 'release@acme.example', subjectPattern: null,
          trustedRoot: 'public-good', policyPath: policyPath(), policySha256: expect.stringMatching(/^[0-9a-f]{64}$/),
        },
        { action: 'remove-key', publisher: 'Acme', fingerprint: fingerprint(key.publicPem), policyPath: policyPath(), policySha256: expect.stringMatching(/^[0-9a-f]{64}$/) },
        // The last entry went, so the publisher and the policy file went too.
        {
          action: 'remove-identity', publisher: 'Acme', issuer: 'https://issuer.example', subject: 'release@acme.example', subjectPattern: null,
          publisherRemoved: true, policyPath: policyPath(), policySha256: null,
        },
      ]);
      expect(audit.log.verify()).toMatchObject({ ok: true, count: 4 });
    } finally {
      audit.close();
    }
    expect(await store.settings()).toMatchObject({ exists: false });
  });
});
