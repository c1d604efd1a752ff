import { describe, expect, it } from 'vitest';
import { AirlockError } from '../../../shared/airlock-error.ts';
import { OCI_JSON_TOTAL_MAX_BYTES, OciJsonCapture, checkOciLayout } from '../../../electron/core/kit/oci-layout-check.ts';
import { makeOciLayout, sha256Hex } from '../../helpers/tar-fixtures.ts';

/** Files and captured JSON as the verifier would have them after its pass. */
function scan(files: Record<string, Buffer>) {
  const records = new Map<string, { size: number; sha256: string }>();
  const capture = new OciJsonCapture();
  for (const [p, body] of Object.entries(files)) {
    records.set(p, { size: body.length, sha256: sha256Hex(body) });
    const slot = capture.begin(p, body.length);
    if (slot) {
      // Feed in two chunks, as a stream would.
      const half = Math.max(1, Math.floor(body.length / 2));
      capture.data(slot, body.subarray(0, half));
      if (half < body.length) capture.data(slot, body.subarray(half));
      capture.end(slot);
    }
  }
  return { records, blobs: capture.blobs };
}

function refused(files: Record<string, Buffer>, prefix = 'images/'): AirlockError {
  const { records, blobs } = scan(files);
  try {
    checkOciLayout(prefix, records, blobs);
  } catch (error) {
    expect(error).toBeInstanceOf(AirlockError);
    return error as AirlockError;
  }
  throw new Error('accepted');
}

describe('checkOciLayout', () => {
  it('walks a layout with a nested multi-platform index and lists tagged images', () => {
    const layout = makeOciLayout();
    const { records, blobs } = scan(layout.files);
    expect(checkOciLayout('images/', records, blobs)).toEqual([
      { ref: 'registry.example/app/api:1.2.3', digest: layout.manifestDigest, mediaType: 'application/vnd.oci.image.manifest.v1+json' },
      { ref: 'registry.example/app/multi:2.0.0', digest: layout.nestedIndexDigest, mediaType: 'application/vnd.oci.image.index.v1+json' },
    ]);
  });

  it('keeps only JSON-looking candidates and drops others once the prefix is known', () => {
    const layout = makeOciLayout();
    const { blobs } = scan({ ...layout.files, 'payload/index.json': Buffer.from('{"x":1}') });
    expect(blobs.has(layout.layerPath)).toBe(false); // gzip bytes, not JSON
    expect(blobs.has(layout.configPath)).toBe(true);
    expect(blobs.has('payload/index.json')).toBe(true);
    const capture = new OciJsonCapture();
    const slot = capture.begin('payload/index.json', 7)!;
    capture.data(slot, Buffer.from('{"x":1}'));
    capture.end(slot);
    capture.setPrefix('images/');
    expect(capture.blobs.size).toBe(0);
  });

  it('bounds the JSON it keeps', () => {
    const capture = new OciJsonCapture();
    const size = 4 * 1024 * 1024;
    const chunk = Buffer.alloc(size, 0x20);
    chunk[0] = 0x7b;
    const feed = (i: number) => {
      const slot = capture.begin(`images/blobs/sha256/${sha256Hex(String(i))}`, size)!;
      capture.data(slot, chunk);
      capture.end(slot);
    };
    for (let i = 0; i < OCI_JSON_TOTAL_MAX_BYTES / size; i++) feed(i);
    expect(() => feed(999)).toThrow(expect.objectContaining({ code: 'OCI_LAYOUT_INVALID' }));
  });

  it.each([
    ['images/oci-layout', (f: Record<string, Buffer>) => { delete f['images/oci-layout']; }],
    ['images/oci-layout', (f: Record<string, Buffer>) => { f['images/oci-layout'] = Buffer.from('{"imageLayoutVersion":"2.0.0"}'); }],
    ['images/index.json', (f: Record<string, Buffer>) => { f['images/index.json'] = Buffer.from('{"manifests": "nope"}'); }],
    ['images/index.json', (f: Record<string, Buffer>) => { f['images/index.json'] = Buffer.from('{not json'); }],
    ['images/index.json', (f: Record<string, Buffer>) => { delete f['images/index.json']; }],
  ])('OCI_LAYOUT_INVALID naming %s', (p, edit) => {
    const files = { ...makeOciLayout().files };
    edit(files);
    const e = refused(files);
    expect(e.code).toBe('OCI_LAYOUT_INVALID');
    expect(e.path).toBe(p);
  });

  it('OCI_LAYOUT_INVALID for blobs stored under another algorithm, saying only sha256 is supported', () => {
    const files = { ...makeOciLayout().files, [`images/blobs/sha512/${'a'.repeat(128)}`]: Buffer.from('x') };
    const e = refused(files);
    expect(e.code).toBe('OCI_LAYOUT_INVALID');
    expect(e.path).toBe(`images/blobs/sha512/${'a'.repeat(128)}`);
    expect(e.message).toMatch(/only sha256/);
  });

  it('OCI_LAYOUT_INVALID for a descriptor with another digest algorithm', () => {
    const layout = makeOciLayout();
    const index = JSON.parse(layout.files['images/index.json']!.toString());
    index.manifests[0].digest = `sha512:${'a'.repeat(128)}`;
    const e = refused({ ...layout.files, 'images/index.json': Buffer.from(JSON.stringify(index)) });
    expect(e.code).toBe('OCI_LAYOUT_INVALID');
    expect(e.message).toMatch(/only sha256/);
  });

  it('OCI_BLOB_DIGEST when a blob does not match its name', () => {
    const layout = makeOciLayout();
    const e = refused({ ...layout.files, [layout.layerPath]: Buffer.from('swapped layer') });
    expect(e.code).toBe('OCI_BLOB_DIGEST');
    expect(e.path).toBe(layout.layerPath);
  });

  it('OCI_BLOB_DIGEST when a descriptor states the wrong size', () => {
    const layout = makeOciLayout();
    const index = JSON.parse(layout.files['images/index.json']!.toString());
    index.manifests[0].size += 1;
    const e = refused({ ...layout.files, 'images/index.json': Buffer.from(JSON.stringify(index)) });
    expect(e.code).toBe('OCI_BLOB_DIGEST');
    expect(e.path).toBe(`images/blobs/sha256/${layout.manifestDigest.slice(7)}`);
  });

  it('OCI_BLOB_MISSING naming the digest and who referenced it', () => {
    const layout = makeOciLayout();
    const files = { ...layout.files };
    delete files[layout.layerPath];
    const e = refused(files);
    expect(e.code).toBe('OCI_BLOB_MISSING');
    expect(e.path).toBe(layout.layerPath);
    expect(e.details).toEqual({ digest: `sha256:${layout.layerPath.split('/').pop()}`, referencedBy: `images/blobs/sha256/${layout.manifestDigest.slice(7)}` });
  });

  it('OCI_BLOB_MISSING when one platform of a multi-platform index is missing', () => {
    const layout = makeOciLayout();
    const files = { ...layout.files };
    delete files[layout.armManifestPath];
    const e = refused(files);
    expect(e.code).toBe('OCI_BLOB_MISSING');
    expect(e.path).toBe(layout.armManifestPath);
    expect(e.details).toMatchObject({ referencedBy: `images/blobs/sha256/${layout.nestedIndexDigest.slice(7)}` });
  });

  it('OCI_LAYOUT_INVALID when a manifest blob is not JSON', () => {
    const layout = makeOciLayout();
    const index = JSON.parse(layout.files['images/index.json']!.toString());
    const layerHex = layout.layerPath.split('/').pop()!;
    index.manifests[0] = { ...index.manifests[0], digest: `sha256:${layerHex}`, size: layout.files[layout.layerPath]!.length };
    const e = refused({ ...layout.files, 'images/index.json': Buffer.from(JSON.stringify(index)) });
    expect(e.code).toBe('OCI_LAYOUT_INVALID');
    expect(e.path).toBe(layout.layerPath);
  });
});
