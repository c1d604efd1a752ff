// Reads the package list out of the SBOMs a kit ships: SPDX 2.x JSON (2.3 is
// what publishers write today) and CycloneDX 1.5+ JSON. The kit's signature
// already vouched for the bytes; a document that is not what kit.json says it
// is, is a publisher defect and refuses the import (SBOM_INVALID).
import { AirlockError } from '../../../shared/airlock-error.ts';

export type SbomFormat = 'spdx-json' | 'cyclonedx-json';

export interface SbomPackage {
  name: string;
  version: string | null;
  /** SPDX license expression or name, when the document states one. */
  license: string | null;
  purl: string | null;
}

export interface ParsedSbom {
  format: SbomFormat;
  /** "SPDX-2.3", "1.6", … as the document states it. */
  specVersion: string;
  packages: SbomPackage[];
}

/** Larger documents are refused rather than parsed into memory whole. */
export const SBOM_MAX_BYTES = 64 * 1024 * 1024;

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

function invalid(path: string, message: string, field?: string): AirlockError {
  return new AirlockError('SBOM_INVALID', `SBOM ${path}: ${message}`, { path, ...(field ? { field } : {}) });
}

function optionalString(value: unknown, path: string, field: string): string | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'string') throw invalid(path, `${field} must be a string`, field);
  return value === '' ? null : value;
}

/** SPDX's "no information" values carry no license. */
function spdxLicense(value: string | null): string | null {
  return value === null || value === 'NOASSERTION' || value === 'NONE' ? null : value;
}

function parseSpdx(doc: Json, path: string): ParsedSbom {
  const spec = doc.spdxVersion;
  if (typeof spec !== 'string' || !/^SPDX-2\.\d+$/.test(spec)) {
    throw invalid(path, `spdxVersion must be "SPDX-2.3" (found ${JSON.stringify(spec ?? null)})`, 'spdxVersion');
  }
  const list = doc.packages ?? [];
  if (!Array.isArray(list)) throw invalid(path, 'packages must be an array', 'packages');
  const packages = list.map((p: unknown, i): SbomPackage => {
    const field = `packages[${i}]`;
    if (!isObject(p)) throw invalid(path, `${field} must be an object`, field);
    if (typeof p.name !== 'string' || p.name === '') throw invalid(path, `${field}.name must be a non-empty string`, `${field}.name`);
    const license = spdxLicense(optionalString(p.licenseConcluded, path, `${field}.licenseConcluded`))
      ?? spdxLicense(optionalString(p.licenseDeclared, path, `${field}.licenseDeclared`));
    let purl: string | null = null;
    const refs = p.externalRefs ?? [];
    if (!Array.isArray(refs)) throw invalid(path, `${field}.externalRefs must be an array`, `${field}.externalRefs`);
    refs.forEach((r: unknown, j) => {
      const rf = `${field}.externalRefs[${j}]`;
      if (!isObject(r)) throw invalid(path, `${rf} must be an object`, rf);
      if (r.referenceType === 'purl' && purl === null) purl = optionalString(r.referenceLocator, path, `${rf}.referenceLocator`);
    });
    return { name: p.name, version: optionalString(p.versionInfo, path, `${field}.versionInfo`), license, purl };
  });
  return { format: 'spdx-json', specVersion: spec, packages };
}

function cyclonedxLicense(value: unknown, path: string, field: string): string | null {
  if (value === undefined || value === null) return null;
  if (!Array.isArray(value)) throw invalid(path, `${field} must be an array`, field);
  const parts: string[] = [];
  value.forEach((l: unknown, i) => {
    const lf = `${field}[${i}]`;
    if (!isObject(l)) throw invalid(path, `${lf} must be an object`, lf);
    if (typeof l.expression === 'string') {
      parts.push(l.expression);
    } else if (isObject(l.license)) {
      const named = optionalString(l.license.id, path, `${lf}.license.id`) ?? optionalString(l.license.name, path, `${lf}.license.name`);
      if (named !== null) parts.push(named);
    } else {
      throw invalid(path, `${lf} must hold "license" or "expression"`, lf);
    }
  });
  if (parts.length === 0) return null;
  return parts.length === 1 ? parts[0]! : parts.map((p) => (/\s/.test(p) ? `(${p})` : p)).join(' AND ');
}

function parseCycloneDx(doc: Json, path: string): ParsedSbom {
  if (doc.bomFormat !== 'CycloneDX') throw invalid(path, `bomFormat must be "CycloneDX" (found ${JSON.stringify(doc.bomFormat ?? null)})`, 'bomFormat');
  const spec = doc.specVersion;
  const m = typeof spec === 'string' ? /^1\.(\d+)$/.exec(spec) : null;
  if (!m || Number(m[1]) < 5) throw invalid(path, `specVersion must be CycloneDX 1.5 or newer (found ${JSON.stringify(spec ?? null)})`, 'specVersion');
  const packages: SbomPackage[] = [];
  // Depth-first with an explicit stack: nested components can go deep.
  const top = doc.components ?? [];
  if (!Array.isArray(top)) throw invalid(path, 'components must be an array', 'components');
  const stack: Array<{ value: unknown; field: string }> = top.map((value: unknown, i) => ({ value, field: `components[${i}]` })).reverse();
  while (stack.length > 0) {
    const { value: c, field } = stack.pop()!;
    if (!isObject(c)) throw invalid(path, `${field} must be an object`, field);
    if (typeof c.name !== 'string' || c.name === '') throw invalid(path, `${field}.name must be a non-empty string`, `${field}.name`);
    packages.push({
      name: c.name,
      version: optionalString(c.version, path, `${field}.version`),
      license: cyclonedxLicense(c.licenses, path, `${field}.licenses`),
      purl: optionalString(c.purl, path, `${field}.purl`),
    });
    const nested = c.components ?? [];
    if (!Array.isArray(nested)) throw invalid(path, `${field}.components must be an array`, `${field}.components`);
    for (let i = nested.length - 1; i >= 0; i--) stack.push({ value: nested[i], field: `${field}.components[${i}]` });
  }
  return { format: 'cyclonedx-json', specVersion: spec as string, packages };
}

/** Parses one SBOM as the format kit.json declares for it; `path` is its kit path, named in every error. */
export function parseSbom(bytes: Uint8Array, format: SbomFormat, path: string): ParsedSbom {
  if (bytes.byteLength > SBOM_MAX_BYTES) throw invalid(path, `larger than ${SBOM_MAX_BYTES} bytes`);
  let doc: unknown;
  try {
    doc = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch (error) {
    throw invalid(path, `not valid UTF-8 JSON (${(error as Error).message})`);
  }
  if (!isObject(doc)) throw invalid(path, 'the document must be a JSON object');
  return format === 'spdx-json' ? parseSpdx(doc, path) : parseCycloneDx(doc, path);
}
