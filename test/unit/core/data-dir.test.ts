import { describe, expect, it } from 'vitest';
import { defaultDataDir } from '../../../electron/core/data-dir.ts';

describe('defaultDataDir', () => {
  it('honours AIRLOCK_DATA_DIR', () => {
    expect(defaultDataDir({ AIRLOCK_DATA_DIR: '/srv/airlock' }, 'linux', '/home/u')).toBe('/srv/airlock');
  });
  it('matches the desktop app per platform', () => {
    expect(defaultDataDir({}, 'linux', '/home/u')).toBe('/home/u/.config/Airlock');
    expect(defaultDataDir({ XDG_CONFIG_HOME: '/x' }, 'linux', '/home/u')).toBe('/x/Airlock');
    expect(defaultDataDir({ APPDATA: 'C:\\Users\\u\\AppData\\Roaming' }, 'win32', 'C:\\Users\\u')).toBe('C:\\Users\\u\\AppData\\Roaming\\Airlock');
    expect(defaultDataDir({}, 'darwin', '/Users/u')).toBe('/Users/u/Library/Application Support/Airlock');
  });
});
