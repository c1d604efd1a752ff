import { describe, expect, it } from 'vitest';
import { ConsoleAccess, parseCookies, SESSION_COOKIE } from '../../../electron/server/console-access.ts';

function access(port = 4321): ConsoleAccess {
  const a = new ConsoleAccess();
  a.setPort(port);
  return a;
}

describe('ConsoleAccess', () => {
  it('makes a long random token and trades it for a session exactly once', () => {
    const a = access();
    expect(a.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(new ConsoleAccess().token).not.toBe(a.token);
    const session = a.exchange(a.token);
    expect(session).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(a.exchange(a.token)).toBeNull();
    expect(a.hasSession(`${SESSION_COOKIE}=${session}`)).toBe(true);
  });

  it('refuses a wrong token and does not use up the right one', () => {
    const a = access();
    expect(a.exchange('x'.repeat(43))).toBeNull();
    expect(a.exchange('')).toBeNull();
    expect(a.exchange(a.token)).not.toBeNull();
  });

  it('recognises only its own session cookie', () => {
    const a = access();
    const session = a.exchange(a.token)!;
    expect(a.hasSession(undefined)).toBe(false);
    expect(a.hasSession(`${SESSION_COOKIE}=${session}x`)).toBe(false);
    expect(a.hasSession(`other=1; ${SESSION_COOKIE}=${session}; theme=dark`)).toBe(true);
    expect(a.sessionCookie(session)).toBe(`${SESSION_COOKIE}=${session}; HttpOnly; SameSite=Strict; Path=/`);
  });

  it('accepts only 127.0.0.1:PORT and localhost:PORT as Host (DNS-rebinding defence)', () => {
    const a = access(4321);
    expect(a.checkHost('127.0.0.1:4321')).toBe('127.0.0.1:4321');
    expect(a.checkHost('LOCALHOST:4321')).toBe('localhost:4321');
    for (const bad of ['evil.example:4321', '127.0.0.1:4322', '127.0.0.1', 'localhost', '[::1]:4321', '127.0.0.1:4321.evil.example', undefined]) {
      expect(a.checkHost(bad), String(bad)).toBeNull();
    }
    expect(new ConsoleAccess().checkHost('127.0.0.1:0')).toBeNull();
  });

  it('accepts a WebSocket Origin only when it is this server as reached through the same Host', () => {
    const a = access(4321);
    expect(a.checkOrigin('http://127.0.0.1:4321', '127.0.0.1:4321')).toBe(true);
    expect(a.checkOrigin('http://localhost:4321', 'localhost:4321')).toBe(true);
    expect(a.checkOrigin('http://localhost:4321', '127.0.0.1:4321')).toBe(false);
    expect(a.checkOrigin('https://evil.example', '127.0.0.1:4321')).toBe(false);
    expect(a.checkOrigin('null', '127.0.0.1:4321')).toBe(false);
    expect(a.checkOrigin(undefined, '127.0.0.1:4321')).toBe(false);
    expect(a.checkOrigin('http://evil.example:4321', 'evil.example:4321')).toBe(false);
  });

  it('parses cookie headers', () => {
    expect([...parseCookies('a=1; b = 2;c=x=y; bad')]).toEqual([['a', '1'], ['b', '2'], ['c', 'x=y']]);
  });
});
