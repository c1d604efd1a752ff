import os from 'node:os';
import path from 'node:path';

/** The SQLite catalog inside the data directory (registry, installs, audit chain). */
export const CATALOG_FILE = 'catalog.db';

/**
 * The per-user data directory, the same one the desktop app uses (Electron's
 * userData for the product name "Airlock"), so the CLI and the app share one
 * registry. AIRLOCK_DATA_DIR overrides it.
 */
export function defaultDataDir(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform, home: string = os.homedir()): string {
  if (env.AIRLOCK_DATA_DIR) return path.resolve(env.AIRLOCK_DATA_DIR);
  if (platform === 'win32') return path.win32.join(env.APPDATA ?? path.win32.join(home, 'AppData', 'Roaming'), 'Airlock');
  if (platform === 'darwin') return path.posix.join(home, 'Library', 'Application Support', 'Airlock');
  return path.posix.join(env.XDG_CONFIG_HOME ?? path.posix.join(home, '.config'), 'Airlock');
}
