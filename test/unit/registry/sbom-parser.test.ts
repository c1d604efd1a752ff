import { describe, expect, it } from 'vitest';
import { AirlockError } from '../../../shared/airlock-error.ts';
import { parseSbom } from '../../../electron/core/registry/sbom-parser.ts';

const bytes = (doc: unknown): Buffer => Buffer.from(typeof doc === 'string' ? doc : JSON.stringify(doc));

function failure(fn: () => unknown): AirlockError {
  try {
    fn();
  } catch (error) {
    if (error instanceof AirlockError) return error;
    throw error;
  }
  throw new Error('expected a failure');
}

describe('SPDX 2.3 JSON', () => {
  it('reads name, versionInfo, license (concluded, else declared) and the purl', () => {
    const doc = {
      spdxVersion: 'SPDX-2.3',
      packages: [
        { name: 'openssl', versionInfo: '3.0.13', licenseConcluded: 'Apache-2.0', licenseDeclared: 'OpenSSL',
          externalRefs: [
            { referenceCategory: 'SECURITY', referenceType: 'cpe23Type', referenceLocator: 'cpe:2.3:a:openssl:openssl:3.0.13' },
            { referenceCategory: 'PACKAGE-MANAGER', referenceType: 'purl', referenceLocator: 'pkg:deb/debian/openssl@3.0.13' },
          ] },
        { name: 'zlib', versionInfo: '1.3', licenseConcluded: 'NOASSERTION', licenseDeclared: 'Zlib' },
        { name: 'mystery', licenseConcluded: 'NOASSERTION', licenseDeclared: 'NONE' },
      ],
    };
    expect(parseSbom(bytes(doc), 'spdx-json', 'sbom/a.spdx.json')).toEqual({
      format: 'spdx-json',
      specVersion: 'SPDX-2.3',
      packages: [
        { name: 'openssl', version: '3.0.13', license: 'Apache-2.0', purl: 'pkg:deb/debian/openssl@3.0.13' },
        { name: 'zlib', version: '1.3', license: 'Zlib', purl: null },
        { name: 'mystery', version: null, license: null, purl: null },
      ],
    });
  });

  it('accepts a document without packages', () => {
    expect(parseSbom(bytes({ spdxVersion: 'SPDX-2.3' }), 'spdx-json', 's.json').packages).toEqual([]);
  });

  it('refuses another SPDX major, a package without a name, and non-JSON, naming path and field', () => {
    const v3 = failure(() => parseSbom(bytes({ spdxVersion: 'SPDX-3.0', packages: [] }), 'spdx-json', 'sbom/x.json'));
    expect(v3).toMatchObject({ code: 'SBOM_INVALID', path: 'sbom/x.json', field: 'spdxVersion' });
    const noName = failure(() => parseSbom(bytes({ spdxVersion: 'SPDX-2.3', packages: [{ name: 'a' }, { versionInfo: '1' }] }), 'spdx-json', 'sbom/x.json'));
    expect(noName).toMatchObject({ code: 'SBOM_INVALID', field: 'packages[1].name' });
    const notJson = failure(() => parseSbom(bytes('{"spdxVersion": '), 'spdx-json', 'sbom/x.json'));
    expect(notJson).toMatchObject({ code: 'SBOM_INVALID', path: 'sbom/x.json' });
    expect(notJson.message).toContain('not valid UTF-8 JSON');
  });

  it('refuses a CycloneDX document declared as SPDX', () => {
    expect(failure(() => parseSbom(bytes({ bomFormat: 'CycloneDX', specVersion: '1.5' }), 'spdx-json', 's.json'))).toMatchObject({ code: 'SBOM_INVALID', field: 'spdxVersion' });
  });
});

describe('CycloneDX 1.5+ JSON', () => {
  it('reads components, nested components, licenses by id, name or expression, and purls', () => {
    const doc = {
      bomFormat: 'CycloneDX',
      specVersion: '1.6',
      metadata: { component: { name: 'the-product', version: '9' } },
      components: [
        { type: 'library', name: 'express', version: '4.19.2', purl: 'pkg:npm/express@4.19.2', licenses: [{ license: { id: 'MIT' } }],
          components: [{ type: 'library', name: 'qs', version: '6.11.0', licenses: [{ license: { name: 'BSD style' } }],
            components: [{ type: 'library', name: 'side-channel', version: '1.0.4' }] }] },
        { type: 'library', name: 'dual', version: '2.0.0', licenses: [{ expression: 'MIT OR Apache-2.0' }] },
        { type: 'library', name: 'two', version: '1', licenses: [{ license: { id: 'MIT' } }, { license: { id: 'ISC' } }] },
      ],
    };
    expect(parseSbom(bytes(doc), 'cyclonedx-json', 'sbom/bom.cdx.json')).toEqual({
      format: 'cyclonedx-json',
      specVersion: '1.6',
      packages: [
        { name: 'express', version: '4.19.2', license: 'MIT', purl: 'pkg:npm/express@4.19.2' },
        { name: 'qs', version: '6.11.0', license: 'BSD style', purl: null },
        { name: 'side-channel', version: '1.0.4', license: null, purl: null },
        { name: 'dual', version: '2.0.0', license: 'MIT OR Apache-2.0', purl: null },
        { name: 'two', version: '1', license: 'MIT AND ISC', purl: null },
      ],
    });
  });

  it('refuses CycloneDX before 1.5, a wrong bomFormat and malformed components', () => {
    expect(failure(() => parseSbom(bytes({ bomFormat: 'CycloneDX', specVersion: '1.4', components: [] }), 'cyclonedx-json', 'b.json')))
      .toMatchObject({ code: 'SBOM_INVALID', field: 'specVersion', path: 'b.json' });
    expect(failure(() => parseSbom(bytes({ spdxVersion: 'SPDX-2.3' }), 'cyclonedx-json', 'b.json'))).toMatchObject({ code: 'SBOM_INVALID', field: 'bomFormat' });
    expect(failure(() => parseSbom(bytes({ bomFormat: 'CycloneDX', specVersion: '1.5', components: [{ name: 'a', components: [{ version: '1' }] }] }), 'cyclonedx-json', 'b.json')))
      .toMatchObject({ code: 'SBOM_INVALID', field: 'components[0].components[0].name' });
    expect(failure(() => parseSbom(bytes({ bomFormat: 'CycloneDX', specVersion: '1.5', components: [{ name: 'a', licenses: [{ nothing: 1 }] }] }), 'cyclonedx-json', 'b.json')))
      .toMatchObject({ code: 'SBOM_INVALID', field: 'components[0].licenses[0]' });
    expect(failure(() => parseSbom(bytes([1, 2]), 'cyclonedx-json', 'b.json')).message).toContain('JSON object');
  });
});
