// Image references and push targets, checked against the distribution
// reference grammar so a bad name fails here with a clear message instead of
// as an opaque 400 half-way through a push.
import { AirlockError } from '../../../shared/airlock-error.ts';

// path-component := alpha-numeric (separator alpha-numeric)*, separator := [._] | __ | -+
const PATH_COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const TAG = /^[\w][\w.-]{0,127}$/;
const DIGEST = /^[a-z0-9]+(?:[+._-][a-z0-9]+)*:[0-9a-fA-F]{32,}$/;
const SHA256_DIGEST = /^sha256:[0-9a-f]{64}$/;
const DOMAIN_LABEL = /^(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])$/;
const IPV6_BRACKETED = /^\[[0-9a-fA-F:.]+\]$/;
const MAX_NAME_LENGTH = 255;

export interface ImageReference {
  /** The registry host (with port) when the reference names one, else null. */
  domain: string | null;
  /** The repository path inside the registry, e.g. `app/api`. */
  repository: string;
  tag: string | null;
  digest: string | null;
}

export interface PushTarget {
  /** HOST[:PORT] as used in URLs and image names (IPv6 in brackets). */
  host: string;
  /** The host name without port or brackets, lower-cased. */
  hostname: string;
  port: number | null;
  /** True for 127.0.0.0/8, ::1 and localhost: plain HTTP there never leaves the machine. */
  loopback: boolean;
}

export interface RewrittenReference {
  /** The reference as the layout names it. */
  source: string;
  repository: string;
  /** The tag the top manifest is pushed under; null for a digest-only reference. */
  tag: string | null;
  /** The full reference on the target registry. */
  target: string;
}

export function isSha256Digest(value: string): boolean {
  return SHA256_DIGEST.test(value);
}

function badRef(ref: string, why: string): AirlockError {
  return new AirlockError('PUSH_FAILED', `image reference "${ref}" is not valid: ${why}`, { field: 'ref', details: { ref } });
}

function looksLikeDomain(component: string): boolean {
  return component === 'localhost' || component.includes('.') || component.includes(':');
}

function parseHostPort(value: string): { hostname: string; port: number | null; host: string } | null {
  let hostPart = value;
  let port: number | null = null;
  if (value.startsWith('[')) {
    const close = value.indexOf(']');
    if (close < 0) return null;
    hostPart = value.slice(0, close + 1);
    const rest = value.slice(close + 1);
    if (rest !== '') {
      if (!/^:[0-9]{1,5}$/.test(rest)) return null;
      port = Number(rest.slice(1));
    }
    if (!IPV6_BRACKETED.test(hostPart)) return null;
  } else {
    const colon = value.lastIndexOf(':');
    if (colon >= 0) {
      const p = value.slice(colon + 1);
      if (!/^[0-9]{1,5}$/.test(p)) return null;
      port = Number(p);
      hostPart = value.slice(0, colon);
    }
    if (hostPart === '' || !hostPart.split('.').every((label) => DOMAIN_LABEL.test(label))) return null;
  }
  if (port !== null && (port < 1 || port > 65535)) return null;
  const hostname = (hostPart.startsWith('[') ? hostPart.slice(1, -1) : hostPart).toLowerCase();
  return { hostname, port, host: port === null ? hostPart.toLowerCase() : `${hostPart.toLowerCase()}:${port}` };
}

export function isLoopbackHostname(hostname: string): boolean {
  const h = hostname.toLowerCase().replace(/^\[|\]$/g, '');
  if (h === 'localhost' || h.endsWith('.localhost')) return true;
  if (h === '::1' || h === '0:0:0:0:0:0:0:1') return true;
  const v4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(h);
  return v4 !== null && Number(v4[1]) === 127 && v4.slice(2).every((n) => Number(n) <= 255);
}

/** Parses `--to HOST[:PORT]`; anything with a scheme, a path or a bad port is a usage error. */
export function parsePushTarget(to: string): PushTarget {
  const value = to.trim();
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(value)) {
    throw new AirlockError('USAGE', `--to takes HOST:PORT without a scheme, got "${to}" (plain HTTP is chosen with --insecure-http)`, { field: 'to' });
  }
  const parsed = value.includes('/') ? null : parseHostPort(value);
  if (!parsed) throw new AirlockError('USAGE', `--to must be HOST or HOST:PORT (e.g. registry.lab:5000 or 127.0.0.1:5000), got "${to}"`, { field: 'to' });
  return { host: parsed.host, hostname: parsed.hostname, port: parsed.port, loopback: isLoopbackHostname(parsed.hostname) };
}

/**
 * Splits `[domain/]path[:tag][@digest]`. The first component is a registry
 * host only when it contains '.' or ':' or is `localhost` (Docker's rule), so
 * `app/api:1` names no registry and `registry.example/app/api:1` does.
 */
export function parseImageReference(ref: string): ImageReference {
  if (ref.length === 0) throw badRef(ref, 'it is empty');
  let rest = ref;
  let digest: string | null = null;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (!DIGEST.test(digest)) throw badRef(ref, `"${digest}" is not a digest (algorithm:hex)`);
  }
  let tag: string | null = null;
  const lastSlash = rest.lastIndexOf('/');
  const colon = rest.lastIndexOf(':');
  if (colon > lastSlash) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    if (!TAG.test(tag)) throw badRef(ref, `"${tag}" is not a valid tag (letters, digits, '_', '.', '-', at most 128, not starting with '.' or '-')`);
  }
  const components = rest.split('/');
  let domain: string | null = null;
  if (components.length > 1 && looksLikeDomain(components[0]!)) {
    domain = components.shift()!;
    if (parseHostPort(domain) === null) throw badRef(ref, `"${domain}" looks like a registry host but is not a valid HOST[:PORT]`);
  }
  const repository = components.join('/');
  if (repository === '') throw badRef(ref, 'it names no repository');
  for (const c of components) {
    if (!PATH_COMPONENT.test(c)) {
      throw badRef(ref, `repository component "${c}" must be lower-case letters and digits, separated by '.', '_', '__' or dashes`);
    }
  }
  if (rest.length > MAX_NAME_LENGTH) throw badRef(ref, `the name is longer than ${MAX_NAME_LENGTH} characters`);
  if (tag === null && digest === null) {
    throw badRef(ref, 'it has neither a tag nor a digest; org.opencontainers.image.ref.name must hold a full reference such as registry.example/app/api:1.2.3');
  }
  return { domain, repository, tag, digest };
}

/**
 * Moves a reference onto the target registry: `registry.example/app/api:1.2.3`
 * pushed to `127.0.0.1:5000` becomes `127.0.0.1:5000/app/api:1.2.3`. The
 * repository path and tag are kept; a digest-only reference stays by digest.
 * When the reference carries a digest it must be the image's own.
 */
export function rewriteReference(ref: string, target: PushTarget | string, imageDigest?: string): RewrittenReference {
  const t = typeof target === 'string' ? parsePushTarget(target) : target;
  const parsed = parseImageReference(ref);
  if (parsed.digest !== null && imageDigest !== undefined && parsed.digest !== imageDigest) {
    throw badRef(ref, `it pins ${parsed.digest} but the layout holds ${imageDigest} under it`);
  }
  const fullName = `${t.host}/${parsed.repository}`;
  if (fullName.length > MAX_NAME_LENGTH) throw badRef(ref, `"${fullName}" is longer than ${MAX_NAME_LENGTH} characters`);
  const suffix = parsed.tag !== null ? `:${parsed.tag}` : `@${parsed.digest!}`;
  return { source: ref, repository: parsed.repository, tag: parsed.tag, target: fullName + suffix };
}
