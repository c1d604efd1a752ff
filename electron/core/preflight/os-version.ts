// Version matching for OS releases. Kits name release lines ("8", "22.04");
// hosts report VERSION_ID ("8.10", "22.04") or a point release ("22.04.4").
// A requirement matches when its components are a prefix of the host's, compared
// as numbers, so "8" takes every 8.x and "22.04" takes 22.04.x but not 22.10.

function components(version: string): number[] | undefined {
  if (!/^\d+(\.\d+)*$/.test(version.trim())) return undefined;
  return version.trim().split('.').map(Number);
}

export function versionMatches(required: string, hostVersion: string): boolean {
  const want = components(required);
  const have = components(hostVersion);
  if (!want || !have || want.length > have.length) return false;
  return want.every((n, i) => have[i] === n);
}

/** The release line a version belongs to: "9.4" → "9"; Ubuntu-style "22.04.4" → "22.04". */
export function releaseLine(osId: string, version: string): string {
  const parts = version.split('.');
  if (osId === 'ubuntu') return parts.slice(0, 2).join('.');
  return parts[0] ?? version;
}
