// Facts about the install root, the data dir and the kit medium. A directory
// that does not exist yet is measured at its nearest existing ancestor (that is
// where it will be created), and nothing is created to find out.
import type path from 'node:path';
import type { MediumFacts, PathFacts } from '../../../shared/preflight.ts';
import { reasonOf, type PathInspector, type PathStat } from './probe-deps.ts';

async function nearestExisting(target: string, paths: PathInspector, pathApi: path.PlatformPath): Promise<{ at: string; stat: PathStat } | { at: null; reason: string }> {
  let current = pathApi.resolve(target);
  for (;;) {
    let stat: PathStat | null;
    try {
      stat = await paths.stat(current);
    } catch (error) {
      return { at: null, reason: `cannot inspect ${current}: ${reasonOf(error)}` };
    }
    if (stat) return { at: current, stat };
    const parent = pathApi.dirname(current);
    if (parent === current) return { at: null, reason: `no part of ${target} exists` };
    current = parent;
  }
}

export async function probePath(target: string, paths: PathInspector, pathApi: path.PlatformPath): Promise<PathFacts> {
  const resolved = pathApi.resolve(target);
  const found = await nearestExisting(resolved, paths, pathApi);
  if (found.at === null) {
    return { path: resolved, exists: false, probedPath: null, freeBytes: null, totalBytes: null, device: null, writable: 'unknown', reason: found.reason };
  }
  const exists = found.at === resolved;
  const facts: PathFacts = { path: resolved, exists, probedPath: found.at, freeBytes: null, totalBytes: null, device: found.stat.dev, writable: 'unknown' };
  const reasons: string[] = [];
  try {
    const space = await paths.statfs(found.at);
    facts.freeBytes = space.freeBytes;
    facts.totalBytes = space.totalBytes;
  } catch (error) {
    reasons.push(`free space unknown: ${reasonOf(error)}`);
  }
  if (!found.stat.isDirectory) {
    facts.writable = 'no';
    reasons.push(`${found.at} is a file, not a directory`);
  } else {
    try {
      const probe = await paths.probeWrite(found.at);
      facts.writable = probe.ok ? 'yes' : 'no';
      if (!probe.ok) reasons.push(probe.reason);
    } catch (error) {
      reasons.push(`write access unknown: ${reasonOf(error)}`);
    }
  }
  if (reasons.length > 0) facts.reason = reasons.join('; ');
  return facts;
}

const PARTS_INDEX = /\.parts\.json$/i;
const PART_FILE = /\.part\d{3}$/i;

/** Size of the whole kit from a split kit's index, or null if the index is unreadable. */
async function splitKitSize(indexPath: string, paths: PathInspector): Promise<number | null> {
  try {
    const index = JSON.parse(await paths.readText(indexPath, 1024 * 1024)) as { size?: unknown };
    return typeof index.size === 'number' && Number.isSafeInteger(index.size) && index.size >= 0 ? index.size : null;
  } catch {
    return null;
  }
}

export async function probeMedium(kitPath: string, paths: PathInspector, pathApi: path.PlatformPath): Promise<MediumFacts> {
  const resolved = pathApi.resolve(kitPath);
  const base: MediumFacts = { path: resolved, kind: 'unknown', sizeBytes: null, fsType: 'unknown', mountPoint: null };
  let stat: PathStat | null;
  try {
    stat = await paths.stat(resolved);
  } catch (error) {
    return { ...base, reason: `cannot inspect the kit: ${reasonOf(error)}` };
  }
  if (!stat) return { ...base, reason: `${resolved} does not exist` };
  if (stat.isDirectory) {
    const size = await paths.treeSize(resolved).catch(() => null);
    return { ...base, kind: 'directory', sizeBytes: size };
  }
  if (PARTS_INDEX.test(resolved)) return { ...base, kind: 'split', sizeBytes: await splitKitSize(resolved, paths) };
  if (PART_FILE.test(resolved)) {
    return { ...base, kind: 'split', sizeBytes: await splitKitSize(resolved.replace(PART_FILE, '.parts.json'), paths) };
  }
  return { ...base, kind: 'file', sizeBytes: stat.size };
}
