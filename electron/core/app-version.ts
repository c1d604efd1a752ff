// The version of this Airlock, as package.json states it. Evidence bundles and
// the window both show it, and it must be the same in a checkout (sources run
// directly) and in a package (compiled files under dist/), so it is looked up
// from this file's own folder upwards rather than from the working directory.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The version in package.json, found next to the sources or the compiled files; "0.0.0" when there is none. */
export function readAppVersion(from: string = path.dirname(fileURLToPath(import.meta.url))): string {
  for (let dir = from, i = 0; i < 5; i++, dir = path.dirname(dir)) {
    try {
      const pkg = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'airlock' && typeof pkg.version === 'string') return pkg.version;
    } catch {
      // not here; look one folder up
    }
  }
  return '0.0.0';
}
