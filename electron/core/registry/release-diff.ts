// What changed between two releases: files by path and digest, images by
// reference and digest, SBOM packages by name and package URL with their
// versions. Pure: both sides come from the catalog.
import { compareUtf8 } from '../kit/sha256sums.ts';
import type {
  FileChange, ImageChange, PackageChange, PackageState, ReleaseDetail, ReleaseDiff, ReleaseFile, ReleaseImage, ReleasePackage,
} from './registry-types.ts';

/** "pkg:npm/%40scope/x@1.2.3?arch=x#sub" → "pkg:npm/%40scope/x": what stays the same across versions. */
export function purlIdentity(purl: string | null): string | null {
  if (purl === null) return null;
  let base = purl.split('#')[0]!.split('?')[0]!;
  const at = base.lastIndexOf('@');
  // An "@" before the last "/" belongs to the namespace (encoded scopes aside).
  if (at > base.lastIndexOf('/')) base = base.slice(0, at);
  return base;
}

function packageStates(packages: ReleasePackage[]): Map<string, PackageState> {
  const states = new Map<string, PackageState>();
  for (const p of packages) {
    const purl = purlIdentity(p.purl);
    const key = `${p.name}\u0000${purl ?? ''}`;
    let state = states.get(key);
    if (!state) {
      state = { name: p.name, purl, versions: [], licenses: [] };
      states.set(key, state);
    }
    if (p.version !== null && !state.versions.includes(p.version)) state.versions.push(p.version);
    if (p.license !== null && !state.licenses.includes(p.license)) state.licenses.push(p.license);
  }
  for (const s of states.values()) {
    s.versions.sort(compareUtf8);
    s.licenses.sort(compareUtf8);
  }
  return states;
}

const sameList = (a: string[], b: string[]): boolean => a.length === b.length && a.every((x, i) => x === b[i]);
const byPath = (a: { path: string }, b: { path: string }): number => compareUtf8(a.path, b.path);
const byRef = (a: { ref: string }, b: { ref: string }): number => compareUtf8(a.ref, b.ref);
const byName = (a: { name: string; purl: string | null }, b: { name: string; purl: string | null }): number =>
  compareUtf8(a.name, b.name) || compareUtf8(a.purl ?? '', b.purl ?? '');

function diffFiles(a: ReleaseFile[], b: ReleaseFile[]): ReleaseDiff['files'] {
  const before = new Map(a.map((f) => [f.path, f]));
  const after = new Map(b.map((f) => [f.path, f]));
  const added = b.filter((f) => !before.has(f.path)).sort(byPath);
  const removed = a.filter((f) => !after.has(f.path)).sort(byPath);
  const changed: FileChange[] = [];
  let unchanged = 0;
  for (const f of b) {
    const old = before.get(f.path);
    if (!old) continue;
    if (old.digest === f.digest && old.mode === f.mode) unchanged++;
    else changed.push({ path: f.path, from: { digest: old.digest, size: old.size, mode: old.mode }, to: { digest: f.digest, size: f.size, mode: f.mode } });
  }
  return { added, removed, changed: changed.sort(byPath), unchanged };
}

function diffImages(a: ReleaseImage[], b: ReleaseImage[]): ReleaseDiff['images'] {
  const before = new Map(a.map((i) => [i.ref, i]));
  const after = new Map(b.map((i) => [i.ref, i]));
  const added = b.filter((i) => !before.has(i.ref)).sort(byRef);
  const removed = a.filter((i) => !after.has(i.ref)).sort(byRef);
  const changed: ImageChange[] = [];
  let unchanged = 0;
  for (const [ref, i] of after) {
    const old = before.get(ref);
    if (!old) continue;
    if (old.digest === i.digest) unchanged++;
    else changed.push({ ref, from: { digest: old.digest, mediaType: old.mediaType }, to: { digest: i.digest, mediaType: i.mediaType } });
  }
  return { added, removed, changed: changed.sort(byRef), unchanged };
}

function diffPackages(a: ReleasePackage[], b: ReleasePackage[]): ReleaseDiff['packages'] {
  const before = packageStates(a);
  const after = packageStates(b);
  const added = [...after].filter(([k]) => !before.has(k)).map(([, s]) => s).sort(byName);
  const removed = [...before].filter(([k]) => !after.has(k)).map(([, s]) => s).sort(byName);
  const changed: PackageChange[] = [];
  let unchanged = 0;
  for (const [key, s] of after) {
    const old = before.get(key);
    if (!old) continue;
    if (sameList(old.versions, s.versions) && sameList(old.licenses, s.licenses)) unchanged++;
    else changed.push({ name: s.name, purl: s.purl, from: { versions: old.versions, licenses: old.licenses }, to: { versions: s.versions, licenses: s.licenses } });
  }
  return { added, removed, changed: changed.sort(byName), unchanged };
}

export function diffReleases(a: ReleaseDetail, b: ReleaseDetail): ReleaseDiff {
  return {
    from: { name: a.name, version: a.version },
    to: { name: b.name, version: b.version },
    files: diffFiles(a.files, b.files),
    images: diffImages(a.images, b.images),
    packages: diffPackages(a.packages, b.packages),
  };
}
