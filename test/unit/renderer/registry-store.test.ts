import { describe, expect, it } from 'vitest';
import { createAirlockClient } from '../../../renderer/api/airlock-client.ts';
import { createRegistryStore, filterPackages } from '../../../renderer/stores/registry-store.ts';
import { fail, fakeBridge, ok } from './fake-airlock.ts';

const PACKAGES = [
  { sbomPath: 's.json', name: 'openssl', version: '3.0.13', license: 'Apache-2.0', purl: 'pkg:generic/openssl@3.0.13' },
  { sbomPath: 's.json', name: 'zlib', version: '1.3.1', license: 'Zlib', purl: null },
  { sbomPath: 's.json', name: 'busybox', version: null, license: 'GPL-2.0-only', purl: null },
];

describe('registry store', () => {
  it('filters packages by every word of the query, case-insensitively, across name, version, license and purl', () => {
    expect(filterPackages(PACKAGES, '').map((p) => p.name)).toEqual(['openssl', 'zlib', 'busybox']);
    expect(filterPackages(PACKAGES, 'OpenSSL').map((p) => p.name)).toEqual(['openssl']);
    expect(filterPackages(PACKAGES, 'gpl').map((p) => p.name)).toEqual(['busybox']);
    expect(filterPackages(PACKAGES, 'pkg:generic 3.0').map((p) => p.name)).toEqual(['openssl']);
    expect(filterPackages(PACKAGES, 'zlib apache')).toEqual([]);
  });

  it('loads the list, opens a release and compares it with another (older → selected)', async () => {
    const bridge = fakeBridge({
      'registry.list': () => ok({ releases: [{ name: 'app', version: '1.0.0' }] }),
      'registry.show': (r) => ok({ ...(r as object), packages: PACKAGES }),
      'registry.diff': (r) => ok({ diffOf: r }),
    });
    const store = createRegistryStore(createAirlockClient(bridge));
    await store.getState().load();
    expect(store.getState().list).toMatchObject({ status: 'done', releases: [{ name: 'app' }] });
    await store.getState().open({ name: 'app', version: '1.1.0' });
    expect(store.getState().detail).toMatchObject({ status: 'done', release: { version: '1.1.0' } });
    await store.getState().compare({ name: 'app', version: '1.0.0' });
    expect(store.getState().diff.result).toEqual({ diffOf: { from: { name: 'app', version: '1.0.0' }, to: { name: 'app', version: '1.1.0' } } });
    await store.getState().compare(null);
    expect(store.getState().diff).toEqual({ status: 'idle', result: null, error: null });
  });

  it('keeps errors with their codes', async () => {
    const store = createRegistryStore(createAirlockClient(fakeBridge({ 'registry.show': () => fail('RELEASE_NOT_FOUND'), 'registry.list': () => fail('CATALOG_TOO_NEW') })));
    await store.getState().load();
    expect(store.getState().list.error?.code).toBe('CATALOG_TOO_NEW');
    await store.getState().open({ name: 'x', version: '1.0.0' });
    expect(store.getState().detail.error?.code).toBe('RELEASE_NOT_FOUND');
  });
});
