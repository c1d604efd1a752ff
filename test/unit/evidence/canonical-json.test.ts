import { expect, it } from 'vitest';
import { canonicalJson, canonicalJsonPretty } from '../../../electron/core/evidence/canonical-json.ts';

it('sorts keys at every depth, drops undefined members and writes no whitespace', () => {
  expect(canonicalJson({ b: 1, a: { d: [1, 'x', null, true], c: undefined, a: 'é"\n' } })).toBe('{"a":{"a":"é\\"\\n","d":[1,"x",null,true]},"b":1}');
  expect(canonicalJson({ z: 1, a: 2 })).toBe(canonicalJson({ a: 2, z: 1 }));
  expect(canonicalJson([undefined, -0, 1.5])).toBe('[null,0,1.5]');
});

it('refuses values with no JSON form instead of writing something else', () => {
  expect(() => canonicalJson({ n: Number.NaN })).toThrow(/\$\.n/);
  expect(() => canonicalJson({ d: new Date(0) })).toThrow(/not a plain object/);
  expect(() => canonicalJson({ f: () => 1 })).toThrow(/function/);
  expect(() => canonicalJson({ big: 1n })).toThrow(/bigint/);
});

it('pretty form has sorted keys, two-space indent and a final newline', () => {
  expect(canonicalJsonPretty({ b: [1], a: 'x' })).toBe('{\n  "a": "x",\n  "b": [\n    1\n  ]\n}\n');
});
