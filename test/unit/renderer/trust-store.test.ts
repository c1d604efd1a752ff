import { describe, expect, it } from 'vitest';
import { createAirlockClient } from '../../../renderer/api/airlock-client.ts';
import { createTrustStore } from '../../../renderer/stores/trust-store.ts';
import { fail, fakeBridge, ok } from './fake-airlock.ts';

const settings = (fingerprints: string[]) => ({ policyPath: '/d/trust-policy.json', exists: true, publishers: [{ name: 'Acme', keys: fingerprints.map((f) => ({ fingerprint: f, keyHint: '', source: 'x' })), keyless: [], trustedRoot: null, tlogThreshold: 0, timestampThreshold: 0, allowDowngrade: false }] });

describe('trust store', () => {
  it('checks forms with the contract schema before sending anything', async () => {
    const bridge = fakeBridge();
    const store = createTrustStore(createAirlockClient(bridge));
    expect(await store.getState().addKey({ publisher: ' ', pem: '' })).toEqual({ ok: false, error: null, fieldErrors: { publisher: 'must not be empty', pem: 'paste or choose a PEM public key' } });
    const keyless = await store.getState().addKeyless({ publisher: 'CI', issuer: 'https://i.example', subjectPattern: 'acme' });
    expect(keyless.ok).toBe(false);
    expect(!keyless.ok && keyless.fieldErrors.subjectPattern).toMatch(/anchored/);
    expect(bridge.calls).toEqual([]);
  });

  it('applies the new settings and remembers the fingerprint just added', async () => {
    const bridge = fakeBridge({ 'trust.get': () => ok(settings(['aa'])), 'trust.addKey': () => ok(settings(['aa', 'bb'])) });
    const store = createTrustStore(createAirlockClient(bridge));
    await store.getState().load();
    const outcome = await store.getState().addKey({ publisher: 'Acme', pem: '-----BEGIN PUBLIC KEY-----' });
    expect(outcome.ok).toBe(true);
    expect(store.getState().lastAddedFingerprint).toBe('bb');
    expect(store.getState().settings?.publishers[0]!.keys).toHaveLength(2);
  });

  it('puts an error from the main side next to its field, or returns it whole', async () => {
    const bridge = fakeBridge({ 'trust.addKey': () => fail('KEY_INVALID', 'holds a private key'), 'trust.remove': () => fail('POLICY_INVALID', 'gone', { field: 'publishers' }) });
    const store = createTrustStore(createAirlockClient(bridge));
    expect(await store.getState().addKey({ publisher: 'Acme', pem: 'x' })).toEqual({ ok: false, fieldErrors: {}, error: expect.objectContaining({ code: 'KEY_INVALID' }) });
    expect(await store.getState().remove('Acme', 'key', 0)).toEqual({ ok: false, fieldErrors: { publishers: 'gone' }, error: expect.objectContaining({ code: 'POLICY_INVALID' }) });
  });
});
