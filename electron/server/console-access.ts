// Who may use the console server. Listening on loopback is not enough: any
// local user, and any web page the admin visits, can reach 127.0.0.1. So:
// - a one-time token in the printed URL is exchanged, once, for a session
//   cookie (HttpOnly, SameSite=Strict), and is invalid from then on;
// - the Host header must name this server exactly (127.0.0.1:PORT or
//   localhost:PORT), which defeats DNS rebinding (evil.example → 127.0.0.1);
// - a WebSocket's Origin must be this same origin, which stops other pages'
//   script from opening the IPC socket with the admin's cookie.
import { randomBytes, timingSafeEqual } from 'node:crypto';

export const SESSION_COOKIE = 'airlock_session';

function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

export function parseCookies(header: string | undefined): Map<string, string> {
  const cookies = new Map<string, string>();
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq <= 0) continue;
    cookies.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim());
  }
  return cookies;
}

export class ConsoleAccess {
  readonly #token: string;
  #tokenUsed = false;
  readonly #sessions = new Set<string>();
  readonly #random: (n: number) => Buffer;
  #port = 0;

  constructor(random: (n: number) => Buffer = randomBytes) {
    this.#random = random;
    this.#token = random(32).toString('base64url');
  }

  /** The one-time token for the printed URL. */
  get token(): string {
    return this.#token;
  }

  /** Set once the server listens: the Host and Origin checks need the real port. */
  setPort(port: number): void {
    this.#port = port;
  }

  get port(): number {
    return this.#port;
  }

  /** Trades the one-time token for a new session id; null when the token is wrong or already used. */
  exchange(token: string): string | null {
    if (this.#tokenUsed || !sameSecret(token, this.#token)) return null;
    this.#tokenUsed = true;
    const session = this.#random(32).toString('base64url');
    this.#sessions.add(session);
    return session;
  }

  get tokenUsed(): boolean {
    return this.#tokenUsed;
  }

  hasSession(cookieHeader: string | undefined): boolean {
    const value = parseCookies(cookieHeader).get(SESSION_COOKIE);
    if (value === undefined) return false;
    for (const s of this.#sessions) if (sameSecret(value, s)) return true;
    return false;
  }

  sessionCookie(session: string): string {
    return `${SESSION_COOKIE}=${session}; HttpOnly; SameSite=Strict; Path=/`;
  }

  /** The Host header names this server exactly; returns the accepted host, else null. */
  checkHost(host: string | undefined): string | null {
    if (host === undefined || this.#port === 0) return null;
    const h = host.toLowerCase();
    return h === `127.0.0.1:${this.#port}` || h === `localhost:${this.#port}` ? h : null;
  }

  /** The Origin of a WebSocket handshake is this server, as reached through the same Host. */
  checkOrigin(origin: string | undefined, host: string | undefined): boolean {
    const accepted = this.checkHost(host);
    return accepted !== null && origin !== undefined && origin.toLowerCase() === `http://${accepted}`;
  }
}
