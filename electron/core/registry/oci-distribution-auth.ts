// Registry authentication: parsing WWW-Authenticate challenges (RFC 7235) and
// the rules for the Bearer token flow. Credentials go only to the registry's
// own host: a token realm elsewhere is refused rather than trusted.
import { AirlockError } from '../../../shared/airlock-error.ts';

export interface AuthChallenge {
  /** Lower-cased scheme, e.g. `bearer` or `basic`. */
  scheme: string;
  /** Parameters with lower-cased names. */
  params: Record<string, string>;
  /** A bare token68 credential hint (`Negotiate abc==`), when the challenge has one. */
  token68?: string;
}

export interface BearerChallenge {
  realm: string;
  service: string | null;
  scope: string | null;
  error: string | null;
}

export interface RegistryCredentials {
  username: string;
  password: string;
}

const TOKEN_CHAR = /[!#$%&'*+\-.^_`|~0-9A-Za-z]/;
const TOKEN68_CHAR = /[A-Za-z0-9\-._~+/]/;

/**
 * Parses a WWW-Authenticate value into its challenges. Tolerates what real
 * registries send (extra spaces, empty list elements, unquoted values) and
 * never throws: a malformed tail ends the parse.
 */
export function parseWwwAuthenticate(header: string): AuthChallenge[] {
  const s = header;
  let i = 0;
  const challenges: AuthChallenge[] = [];
  const skipSpaces = (): void => {
    while (i < s.length && (s[i] === ' ' || s[i] === '\t')) i++;
  };
  const readToken = (): string => {
    const start = i;
    while (i < s.length && TOKEN_CHAR.test(s[i]!)) i++;
    return s.slice(start, i);
  };
  const readQuoted = (): string | null => {
    // s[i] is the opening quote.
    i++;
    let out = '';
    while (i < s.length) {
      const c = s[i]!;
      if (c === '\\' && i + 1 < s.length) {
        out += s[i + 1];
        i += 2;
      } else if (c === '"') {
        i++;
        return out;
      } else {
        out += c;
        i++;
      }
    }
    return null;
  };

  while (i < s.length) {
    while (i < s.length && (s[i] === ',' || s[i] === ' ' || s[i] === '\t')) i++;
    if (i >= s.length) break;
    const scheme = readToken();
    if (scheme === '') break;
    const challenge: AuthChallenge = { scheme: scheme.toLowerCase(), params: {} };
    challenges.push(challenge);
    skipSpaces();

    // Either auth-params (name=value, ...) or one token68 (`abc==`) or nothing.
    const save = i;
    const firstName = readToken();
    skipSpaces();
    let isParams = false;
    if (firstName !== '' && s[i] === '=') {
      let j = i + 1;
      while (j < s.length && (s[j] === ' ' || s[j] === '\t')) j++;
      isParams = j < s.length && (s[j] === '"' || TOKEN_CHAR.test(s[j]!));
    }
    i = save;
    if (!isParams) {
      while (i < s.length && TOKEN68_CHAR.test(s[i]!)) i++;
      while (i < s.length && s[i] === '=') i++;
      const token68 = s.slice(save, i);
      skipSpaces();
      if (token68 !== '' && (i >= s.length || s[i] === ',')) challenge.token68 = token68;
      else i = save;
      continue;
    }

    // auth-params: name BWS '=' BWS (token | quoted-string), comma-separated.
    for (;;) {
      skipSpaces();
      const paramStart = i;
      const name = readToken();
      skipSpaces();
      if (name === '' || s[i] !== '=') {
        // Not a parameter: the next challenge starts here.
        i = paramStart;
        break;
      }
      i++;
      skipSpaces();
      let value: string | null;
      if (s[i] === '"') value = readQuoted();
      else value = readToken();
      if (value === null) return challenges;
      challenge.params[name.toLowerCase()] = value;
      skipSpaces();
      if (s[i] !== ',') break;
      // A comma either separates parameters or ends this challenge; look ahead.
      let j = i + 1;
      while (j < s.length && (s[j] === ' ' || s[j] === '\t' || s[j] === ',')) j++;
      let k = j;
      while (k < s.length && TOKEN_CHAR.test(s[k]!)) k++;
      let m = k;
      while (m < s.length && (s[m] === ' ' || s[m] === '\t')) m++;
      if (k > j && s[m] === '=') {
        i = j;
        continue;
      }
      i = j;
      break;
    }
  }
  return challenges;
}

export function findChallenge(challenges: AuthChallenge[], scheme: string): AuthChallenge | undefined {
  return challenges.find((c) => c.scheme === scheme.toLowerCase());
}

export function bearerChallenge(challenge: AuthChallenge): BearerChallenge | null {
  const realm = challenge.params.realm;
  if (challenge.scheme !== 'bearer' || !realm) return null;
  return { realm, service: challenge.params.service ?? null, scope: challenge.params.scope ?? null, error: challenge.params.error ?? null };
}

/**
 * Checks a Bearer realm before any credential is sent to it: it must be an
 * absolute URL on the registry's own host name, over HTTPS unless the push
 * was explicitly allowed to use plain HTTP.
 */
export function checkTokenRealm(realm: string, registry: URL, insecureHttp: boolean): URL {
  let url: URL;
  try {
    url = new URL(realm);
  } catch {
    throw new AirlockError('PUSH_AUTH', `the registry's token realm "${realm}" is not an absolute URL`, { field: 'WWW-Authenticate', details: { realm } });
  }
  if (url.hostname.toLowerCase() !== registry.hostname.toLowerCase()) {
    throw new AirlockError('PUSH_AUTH', `the registry ${registry.host} sends its token requests to another host (${url.host}); Airlock sends credentials only to the registry's own host`, {
      field: 'WWW-Authenticate',
      details: { realm },
    });
  }
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && insecureHttp)) {
    throw new AirlockError('PUSH_AUTH', `the token realm ${realm} is not HTTPS (plain HTTP is allowed only with --insecure-http)`, { field: 'WWW-Authenticate', details: { realm } });
  }
  if (url.username || url.password) {
    throw new AirlockError('PUSH_AUTH', `the token realm ${url.host} carries credentials in its URL`, { field: 'WWW-Authenticate' });
  }
  return url;
}

/** The token endpoint URL for the given scopes (`repository:app/api:pull,push`). */
export function tokenRequestUrl(realm: URL, service: string | null, scopes: string[]): URL {
  const url = new URL(realm.href);
  if (service !== null) url.searchParams.set('service', service);
  for (const scope of scopes) url.searchParams.append('scope', scope);
  return url;
}

export function basicAuthorization(credentials: RegistryCredentials): string {
  return `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`, 'utf8').toString('base64')}`;
}

/** Reads `token` (or the OAuth2 `access_token`) from a token endpoint's JSON answer. */
export function tokenFromResponse(body: unknown): { token: string; expiresInSeconds: number | null } | null {
  if (typeof body !== 'object' || body === null) return null;
  const b = body as Record<string, unknown>;
  const token = typeof b.token === 'string' && b.token !== '' ? b.token : typeof b.access_token === 'string' && b.access_token !== '' ? b.access_token : null;
  if (token === null) return null;
  const expires = typeof b.expires_in === 'number' && Number.isFinite(b.expires_in) ? b.expires_in : null;
  return { token, expiresInSeconds: expires };
}
