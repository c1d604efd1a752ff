// The switch of the active release: the symlink strategy on the real file
// system, and the Windows pointer-file strategy both on the real file system
// and, with Windows paths (path.win32), on an in-memory file system that
// behaves like Windows where it matters (no rename over a directory).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { InstallLayout, checkVersionName } from '../../../electron/core/install/install-layout.ts';
import {
  PointerFileReleaseSwitch, SymlinkReleaseSwitch, createReleaseSwitch, pathApiFor, type SwitchFs,
} from '../../../electron/core/install/release-switch.ts';

let tmp: string;
beforeEach(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'airlock-switch-'));
  for (const v of ['1.0.0', '1.1.0']) fs.mkdirSync(path.join(tmp, 'releases', v), { recursive: true });
});
afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe('symlink switch (Linux, macOS)', () => {
  it('points current at releases/<version> with a relative link, replaced in one rename', () => {
    const s = new SymlinkReleaseSwitch(new InstallLayout(tmp));
    expect(s.read()).toBeNull();
    s.activate('1.0.0');
    expect(fs.readlinkSync(path.join(tmp, 'current'))).toBe('releases/1.0.0');
    const inode = fs.lstatSync(path.join(tmp, 'current')).ino;
    s.activate('1.1.0');
    expect(s.read()).toBe('1.1.0');
    expect(fs.lstatSync(path.join(tmp, 'current')).ino).not.toBe(inode);
    expect(fs.readdirSync(tmp).sort()).toEqual(['current', 'releases']);
    s.clear();
    expect(s.read()).toBeNull();
  });

  it('tidies temp links of an interrupted switch and refuses a current that is not its link', () => {
    const s = new SymlinkReleaseSwitch(new InstallLayout(tmp));
    fs.symlinkSync('releases/1.0.0', path.join(tmp, '.current-123-abcd'));
    expect(s.tidy()).toEqual(['removed the temporary link .current-123-abcd']);
    fs.mkdirSync(path.join(tmp, 'current'));
    expect(() => s.read()).toThrow(expect.objectContaining({ code: 'INSTALL_ROOT_INVALID' }));
    fs.rmdirSync(path.join(tmp, 'current'));
    fs.symlinkSync('/etc', path.join(tmp, 'current'));
    expect(() => s.read()).toThrow(/not at a release folder/);
  });

  it('is what createReleaseSwitch picks on Linux and macOS', () => {
    expect(createReleaseSwitch(new InstallLayout(tmp), 'linux').strategy).toBe('symlink');
    expect(createReleaseSwitch(new InstallLayout(tmp), 'darwin').strategy).toBe('symlink');
    expect(createReleaseSwitch(new InstallLayout(tmp), 'win32').strategy).toBe('pointer-file');
  });
});

describe('pointer-file switch (Windows) on the real file system', () => {
  it('writes current.json atomically and keeps a junction in step', () => {
    const s = new PointerFileReleaseSwitch(new InstallLayout(tmp));
    expect(s.read()).toBeNull();
    s.activate('1.0.0');
    expect(JSON.parse(fs.readFileSync(path.join(tmp, 'current.json'), 'utf8'))).toMatchObject({ schema: 'airlock.current/v1', release: '1.0.0' });
    expect(fs.realpathSync(path.join(tmp, 'current'))).toBe(fs.realpathSync(path.join(tmp, 'releases', '1.0.0')));
    s.activate('1.1.0');
    expect(s.read()).toBe('1.1.0');
    expect(fs.realpathSync(path.join(tmp, 'current'))).toBe(fs.realpathSync(path.join(tmp, 'releases', '1.1.0')));
    expect(fs.readdirSync(tmp).sort()).toEqual(['current', 'current.json', 'releases']);
  });

  it('rebuilds a stale or missing junction from the pointer file', () => {
    const s = new PointerFileReleaseSwitch(new InstallLayout(tmp));
    s.activate('1.1.0');
    fs.unlinkSync(path.join(tmp, 'current'));
    fs.symlinkSync(path.join(tmp, 'releases', '1.0.0'), path.join(tmp, 'current'));
    expect(s.tidy()).toEqual(['rebuilt the junction "current" for release 1.1.0 from current.json']);
    expect(fs.realpathSync(path.join(tmp, 'current'))).toBe(fs.realpathSync(path.join(tmp, 'releases', '1.1.0')));
    s.clear();
    expect(fs.existsSync(path.join(tmp, 'current.json'))).toBe(false);
    expect(fs.existsSync(path.join(tmp, 'current'))).toBe(false);
  });

  it('refuses a damaged pointer file', () => {
    fs.writeFileSync(path.join(tmp, 'current.json'), '{"schema":"airlock.current/v1","release":"../../etc"}');
    expect(() => new PointerFileReleaseSwitch(new InstallLayout(tmp)).read()).toThrow(expect.objectContaining({ code: 'INSTALL_ROOT_INVALID' }));
  });
});

/** An in-memory Windows-like file system: paths compared case-insensitively, no rename onto an existing directory or junction. */
function windowsFs(): SwitchFs & { files: Map<string, string>; links: Map<string, string>; dirs: Set<string>; ops: string[] } {
  const key = (p: string): string => path.win32.normalize(p).toLowerCase();
  const files = new Map<string, string>();
  const links = new Map<string, string>();
  const dirs = new Set<string>();
  const ops: string[] = [];
  const fail = (code: string, p: string): never => {
    throw Object.assign(new Error(`${code}: ${p}`), { code });
  };
  const kind = (p: string): 'file' | 'link' | 'dir' | undefined => (files.has(key(p)) ? 'file' : links.has(key(p)) ? 'link' : dirs.has(key(p)) ? 'dir' : undefined);
  return {
    files, links, dirs, ops,
    lstat(p) {
      const k = kind(p);
      if (!k) return undefined;
      return { isSymbolicLink: () => k === 'link', isFile: () => k === 'file', isDirectory: () => k === 'dir' };
    },
    readlink: (p) => links.get(key(p)) ?? fail('EINVAL', p),
    symlink(target, p, type) {
      ops.push(`symlink ${type} ${p} -> ${target}`);
      if (kind(p)) fail('EEXIST', p);
      if (type === 'junction' && !path.win32.isAbsolute(target)) fail('EINVAL', `junction target must be absolute: ${target}`);
      links.set(key(p), target);
    },
    rename(from, to) {
      ops.push(`rename ${from} -> ${to}`);
      const k = kind(from) ?? fail('ENOENT', from);
      const existing = kind(to);
      // MoveFileEx replaces files, never directories or junctions.
      if (existing === 'dir' || existing === 'link') fail('EPERM', to);
      if (k === 'file') {
        files.set(key(to), files.get(key(from))!);
        files.delete(key(from));
      } else if (k === 'link') {
        links.set(key(to), links.get(key(from))!);
        links.delete(key(from));
      } else fail('EPERM', from);
    },
    unlink(p) {
      ops.push(`unlink ${p}`);
      files.delete(key(p));
      links.delete(key(p));
    },
    readText: (p) => files.get(key(p)),
    writeTextAtomic(p, text) {
      const tmp = `${p}.tmp-1-00000000`;
      files.set(key(tmp), text);
      this.rename(tmp, p);
    },
    readdir(dir) {
      const prefix = key(dir) + '\\';
      return [...files.keys(), ...links.keys(), ...dirs].filter((k) => k.startsWith(prefix) && !k.slice(prefix.length).includes('\\')).map((k) => k.slice(prefix.length));
    },
    syncDir: () => {},
  };
}

describe('pointer-file switch with Windows paths (path.win32, in memory)', () => {
  const root = 'C:\\ProgramData\\Notes';
  const layout = (): InstallLayout => new InstallLayout(root, pathApiFor('win32'));

  it('lays the root out with Windows separators', () => {
    const l = layout();
    expect(l.releaseDir('1.2.0')).toBe('C:\\ProgramData\\Notes\\releases\\1.2.0');
    expect(l.currentPointer).toBe('C:\\ProgramData\\Notes\\current.json');
    expect(l.journalFile).toBe('C:\\ProgramData\\Notes\\.airlock\\journal.json');
    expect(l.backupFile(12, 'main')).toBe('C:\\ProgramData\\Notes\\.airlock\\backups\\12\\main.sqlite');
    expect(l.databaseFile('var/notes.db')).toBe('C:\\ProgramData\\Notes\\data\\var\\notes.db');
    expect(l.releaseLinkTarget('1.2.0')).toBe('releases\\1.2.0');
    expect(l.versionOfTarget('C:\\ProgramData\\Notes\\releases\\1.2.0')).toBe('1.2.0');
    expect(l.versionOfTarget('releases/1.2.0')).toBe('1.2.0');
    expect(() => l.databaseFile('..\\evil.db')).toThrow(expect.objectContaining({ code: 'KIT_MANIFEST_INVALID' }));
    expect(() => l.releaseDir('..\\..\\Windows')).toThrow(expect.objectContaining({ code: 'USAGE' }));
    expect(() => checkVersionName('1.0.0/../x')).toThrow();
  });

  it('switches by replacing the pointer file, and rebuilds the junction by remove + create + rename', () => {
    const wfs = windowsFs();
    wfs.dirs.add('c:\\programdata\\notes\\releases\\1.0.0');
    wfs.dirs.add('c:\\programdata\\notes\\releases\\1.1.0');
    const s = createReleaseSwitch(layout(), 'win32', wfs);
    expect(s.strategy).toBe('pointer-file');
    s.activate('1.0.0');
    expect(s.read()).toBe('1.0.0');
    wfs.ops.length = 0;
    s.activate('1.1.0');
    expect(s.read()).toBe('1.1.0');
    expect(JSON.parse(wfs.files.get('c:\\programdata\\notes\\current.json')!)).toEqual({ schema: 'airlock.current/v1', release: '1.1.0', path: 'releases\\1.1.0' });
    expect(wfs.links.get('c:\\programdata\\notes\\current')).toBe('C:\\ProgramData\\Notes\\releases\\1.1.0');
    // The pointer file is replaced by one rename; the junction cannot be renamed over, so it is removed first.
    expect(wfs.ops[0]).toBe('rename C:\\ProgramData\\Notes\\current.json.tmp-1-00000000 -> C:\\ProgramData\\Notes\\current.json');
    expect(wfs.ops.slice(1)).toEqual([
      `unlink C:\\ProgramData\\Notes\\current.new-${process.pid}`,
      `symlink junction C:\\ProgramData\\Notes\\current.new-${process.pid} -> C:\\ProgramData\\Notes\\releases\\1.1.0`,
      'unlink C:\\ProgramData\\Notes\\current',
      `rename C:\\ProgramData\\Notes\\current.new-${process.pid} -> C:\\ProgramData\\Notes\\current`,
    ]);
  });

  it('after a crash between the pointer file and the junction, tidy() repairs the junction from the pointer file', () => {
    const wfs = windowsFs();
    const s = new PointerFileReleaseSwitch(layout(), wfs);
    s.activate('1.0.0');
    // Simulate the crash: the pointer says 1.1.0, the junction still names 1.0.0, and a half-made junction is left.
    wfs.files.set('c:\\programdata\\notes\\current.json', JSON.stringify({ schema: 'airlock.current/v1', release: '1.1.0' }));
    wfs.links.set('c:\\programdata\\notes\\current.new-999', 'C:\\ProgramData\\Notes\\releases\\1.1.0');
    expect(s.tidy()).toEqual(['removed the leftover current.new-999', 'rebuilt the junction "current" for release 1.1.0 from current.json']);
    expect(wfs.links.get('c:\\programdata\\notes\\current')).toBe('C:\\ProgramData\\Notes\\releases\\1.1.0');
    expect(s.tidy()).toEqual([]);
  });

  it('the symlink strategy would fail on Windows semantics: renaming over a junction is refused', () => {
    const wfs = windowsFs();
    const s = new SymlinkReleaseSwitch(layout(), wfs);
    s.activate('1.0.0');
    expect(() => s.activate('1.1.0')).toThrow(/EPERM/);
  });
});
