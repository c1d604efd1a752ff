import { describe, expect, it } from 'vitest';
import { AirlockError } from '../../../shared/airlock-error.ts';
import { isLoopbackHostname, parseImageReference, parsePushTarget, rewriteReference } from '../../../electron/core/registry/oci-distribution-reference.ts';

const D1 = `sha256:${'a'.repeat(64)}`;
const D2 = `sha256:${'b'.repeat(64)}`;

function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    return error instanceof AirlockError ? error.code : `not an AirlockError: ${String(error)}`;
  }
  return 'no error';
}

describe('rewriteReference', () => {
  const cases: Array<[string, string, string, { repository: string; tag: string | null }]> = [
    ['registry.example/app/api:1.2.3', '127.0.0.1:5000', '127.0.0.1:5000/app/api:1.2.3', { repository: 'app/api', tag: '1.2.3' }],
    ['registry.example:8443/team/svc:v2', '127.0.0.1:5000', '127.0.0.1:5000/team/svc:v2', { repository: 'team/svc', tag: 'v2' }],
    ['localhost/app:1', 'reg.lab:5000', 'reg.lab:5000/app:1', { repository: 'app', tag: '1' }],
    ['localhost:5000/a/b/c:latest', 'reg.lab', 'reg.lab/a/b/c:latest', { repository: 'a/b/c', tag: 'latest' }],
    ['docker.io/library/busybox:1.36', 'reg.lab:5000', 'reg.lab:5000/library/busybox:1.36', { repository: 'library/busybox', tag: '1.36' }],
    // No host in the first component: the whole path is the repository.
    ['app/api:1.2.3', '127.0.0.1:5000', '127.0.0.1:5000/app/api:1.2.3', { repository: 'app/api', tag: '1.2.3' }],
    ['busybox:latest', '127.0.0.1:5000', '127.0.0.1:5000/busybox:latest', { repository: 'busybox', tag: 'latest' }],
    ['[fd00::1]:5000/x/y:1', '127.0.0.1:5000', '127.0.0.1:5000/x/y:1', { repository: 'x/y', tag: '1' }],
    ['registry.example/a_b/c__d/e-f/g--h/i.j:T_1.0-rc', 'h:1', 'h:1/a_b/c__d/e-f/g--h/i.j:T_1.0-rc', { repository: 'a_b/c__d/e-f/g--h/i.j', tag: 'T_1.0-rc' }],
    // By digest only: stays by digest.
    [`registry.example/app/api@${D1}`, '127.0.0.1:5000', `127.0.0.1:5000/app/api@${D1}`, { repository: 'app/api', tag: null }],
    // Tag and digest: pushed under the tag.
    [`registry.example/app/api:1.2.3@${D1}`, '127.0.0.1:5000', '127.0.0.1:5000/app/api:1.2.3', { repository: 'app/api', tag: '1.2.3' }],
    ['registry.example/app/api:1.2.3', '[::1]:5000', '[::1]:5000/app/api:1.2.3', { repository: 'app/api', tag: '1.2.3' }],
    ['registry.example/app/api:1.2.3', 'REG.Lab:5000', 'reg.lab:5000/app/api:1.2.3', { repository: 'app/api', tag: '1.2.3' }],
  ];
  it.each(cases)('%s --to %s → %s', (ref, to, target, rest) => {
    const r = rewriteReference(ref, to, D1);
    expect(r.target).toBe(target);
    expect(r.repository).toBe(rest.repository);
    expect(r.tag).toBe(rest.tag);
    expect(r.source).toBe(ref);
  });

  it('refuses a reference whose digest is not the image it names', () => {
    expect(codeOf(() => rewriteReference(`registry.example/app/api@${D1}`, 'h:1', D2))).toBe('PUSH_FAILED');
  });

  it('refuses a name that would be too long on the target host', () => {
    const long = `r.example/${'a'.repeat(240)}:1`;
    expect(() => parseImageReference(long)).not.toThrow();
    expect(codeOf(() => rewriteReference(long, 'a-long-registry-host.example:5000', D1))).toBe('PUSH_FAILED');
  });
});

describe('parseImageReference', () => {
  it('splits host, repository, tag and digest', () => {
    expect(parseImageReference(`registry.example:5000/app/api:1.2.3@${D1}`)).toEqual({ domain: 'registry.example:5000', repository: 'app/api', tag: '1.2.3', digest: D1 });
    expect(parseImageReference('app:1')).toEqual({ domain: null, repository: 'app', tag: '1', digest: null });
  });

  const bad: Array<[string, RegExp]> = [
    ['', /empty/],
    ['registry.example/App/api:1', /lower-case/],
    ['registry.example/app/api', /neither a tag nor a digest/],
    ['1.2.3', /neither a tag nor a digest/],
    ['registry.example/app//api:1', /component ""/],
    ['registry.example/-app:1', /component "-app"/],
    ['registry.example/app_:1', /component "app_"/],
    ['registry.example/a___b:1', /component "a___b"/],
    ['registry.example/app:.hidden', /not a valid tag/],
    [`registry.example/app:${'x'.repeat(129)}`, /not a valid tag/],
    ['registry.example/app@sha256:xyz', /not a digest/],
    ['bad_host.example/app:1', /not a valid HOST\[:PORT\]/],
    ['registry.example:99999/app:1', /not a valid HOST\[:PORT\]/],
    [`r.example/${'a'.repeat(250)}:1`, /longer than 255/],
  ];
  it.each(bad)('refuses %j with a clear message', (ref, message) => {
    let caught: unknown;
    try {
      parseImageReference(ref);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(AirlockError);
    expect((caught as AirlockError).code).toBe('PUSH_FAILED');
    expect((caught as AirlockError).message).toMatch(message);
    expect((caught as AirlockError).field).toBe('ref');
  });
});

describe('parsePushTarget', () => {
  it('accepts HOST, HOST:PORT and [IPv6]:PORT and knows loopback', () => {
    expect(parsePushTarget('127.0.0.1:5000')).toEqual({ host: '127.0.0.1:5000', hostname: '127.0.0.1', port: 5000, loopback: true });
    expect(parsePushTarget('registry.lab')).toEqual({ host: 'registry.lab', hostname: 'registry.lab', port: null, loopback: false });
    expect(parsePushTarget('localhost:5000').loopback).toBe(true);
    expect(parsePushTarget('[::1]:5000')).toEqual({ host: '[::1]:5000', hostname: '::1', port: 5000, loopback: true });
    expect(parsePushTarget('10.0.0.7:443').loopback).toBe(false);
  });

  it.each(['https://registry.lab:5000', 'registry.lab:5000/prefix', 'registry.lab:0', 'registry.lab:70000', 'registry.lab:', '', 'a b:1', '[::1'])('refuses %j as a usage error', (to) => {
    expect(codeOf(() => parsePushTarget(to))).toBe('USAGE');
  });

  it('treats only 127/8, ::1 and localhost as loopback', () => {
    expect(isLoopbackHostname('127.8.9.10')).toBe(true);
    expect(isLoopbackHostname('LOCALHOST')).toBe(true);
    expect(isLoopbackHostname('[::1]')).toBe(true);
    expect(isLoopbackHostname('128.0.0.1')).toBe(false);
    expect(isLoopbackHostname('localhost.example.com')).toBe(false);
    expect(isLoopbackHostname('0.0.0.0')).toBe(false);
  });
});
