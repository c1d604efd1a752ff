import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseOsRelease } from '../../../electron/core/preflight/os-release.ts';
import { HOSTS_DIR, LINUX_HOSTS } from './fixture-host.ts';

describe('parseOsRelease', () => {
  it.each(Object.entries(LINUX_HOSTS))('reads the os-release %s ships', (name, want) => {
    const text = readFileSync(path.join(HOSTS_DIR, 'linux', name, 'etc/os-release'), 'utf8');
    const release = parseOsRelease(text);
    expect(release.id).toBe(want.id);
    expect(release.versionId).toBe(want.version);
    expect(release.prettyName).not.toBe('Linux');
  });

  it('splits ID_LIKE into ids', () => {
    const rocky = parseOsRelease(readFileSync(path.join(HOSTS_DIR, 'linux/rocky-9.4/etc/os-release'), 'utf8'));
    expect(rocky.idLike).toEqual(['rhel', 'centos', 'fedora']);
    const ubuntu = parseOsRelease(readFileSync(path.join(HOSTS_DIR, 'linux/ubuntu-22.04/etc/os-release'), 'utf8'));
    expect(ubuntu.idLike).toEqual(['debian']);
    const debian = parseOsRelease(readFileSync(path.join(HOSTS_DIR, 'linux/debian-12/etc/os-release'), 'utf8'));
    expect(debian.idLike).toEqual([]);
  });

  it('handles double, single and bare values, escapes, comments and blank lines', () => {
    const release = parseOsRelease(
      [
        '# a comment line',
        '',
        '  NAME="Example \\"Quoted\\" OS"  ',
        "VERSION='1.2 (Odd)'",
        'ID=Example # trailing comment',
        'ID_LIKE="rhel  fedora"',
        'VERSION_ID=1.2',
        'PRETTY_NAME="Cost \\$5 \\\\ path \\n kept"',
        'not an assignment',
        'lower_case=ok',
      ].join('\n'),
    );
    expect(release.fields.NAME).toBe('Example "Quoted" OS');
    expect(release.fields.VERSION).toBe('1.2 (Odd)');
    expect(release.id).toBe('example');
    expect(release.idLike).toEqual(['rhel', 'fedora']);
    expect(release.versionId).toBe('1.2');
    expect(release.prettyName).toBe('Cost $5 \\ path \\n kept');
    expect(release.fields.lower_case).toBe('ok');
  });

  it('falls back as os-release(5) says when fields are missing', () => {
    const bare = parseOsRelease('NAME=Gentoo\nVERSION=""\n');
    expect(bare.id).toBe('linux');
    expect(bare.versionId).toBeUndefined();
    expect(bare.prettyName).toBe('Gentoo');
    expect(parseOsRelease('').prettyName).toBe('Linux');
  });

  it('accepts CRLF line ends', () => {
    const release = parseOsRelease('ID=rhel\r\nVERSION_ID="9.4"\r\n');
    expect(release.id).toBe('rhel');
    expect(release.versionId).toBe('9.4');
  });
});
