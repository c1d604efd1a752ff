// Is there a default route? An enclave host normally has none, so one that does
// may be connected to more than the enclave. Parsers for Linux /proc/net/route,
// /proc/net/ipv6_route and Windows `route print`.

export interface DefaultRoute {
  present: boolean;
  /** "192.0.2.1 on eth0" when present. */
  via?: string;
}

const RTF_UP = 0x1;
const RTF_REJECT = 0x200;

/** /proc/net/route stores IPv4 addresses as host-order (little-endian) hex. */
function ipv4FromProcHex(hex: string): string {
  const n = parseInt(hex, 16);
  return [n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, (n >>> 24) & 0xff].join('.');
}

/** null when the text is not a route table (no header). */
export function defaultRouteFromProcNetRoute(text: string): DefaultRoute | null {
  const lines = text.split('\n').filter((l) => l.trim() !== '');
  const header = lines[0]?.trim().split(/\s+/);
  if (!header || header[0] !== 'Iface') return null;
  const col = (name: string): number => header.indexOf(name);
  const [iDest, iGw, iFlags, iMask] = [col('Destination'), col('Gateway'), col('Flags'), col('Mask')];
  if ([iDest, iGw, iFlags, iMask].includes(-1)) return null;
  for (const line of lines.slice(1)) {
    const f = line.trim().split(/\s+/);
    const flags = parseInt(f[iFlags] ?? '0', 16);
    if (f[iDest] === '00000000' && f[iMask] === '00000000' && (flags & RTF_UP) !== 0 && (flags & RTF_REJECT) === 0) {
      const gw = f[iGw] && f[iGw] !== '00000000' ? ipv4FromProcHex(f[iGw]) : 'direct';
      return { present: true, via: `${gw} on ${f[0]}` };
    }
  }
  return { present: false };
}

function ipv6FromHex(hex: string): string {
  const groups = hex.match(/.{4}/g) ?? [];
  return groups.map((g) => g.replace(/^0+(?=.)/, '')).join(':').replace(/(^|:)0(:0)+(:|$)/, '::');
}

/** /proc/net/ipv6_route: dest plen src splen nexthop metric refcnt use flags iface. */
export function defaultRouteFromIpv6Route(text: string): DefaultRoute | null {
  let sawLine = false;
  for (const line of text.split('\n')) {
    const f = line.trim().split(/\s+/);
    if (f.length < 10) continue;
    sawLine = true;
    const flags = parseInt(f[8]!, 16);
    if (/^0{32}$/.test(f[0]!) && f[1] === '00' && f[9] !== 'lo' && (flags & RTF_UP) !== 0 && (flags & RTF_REJECT) === 0) {
      const gw = /^0{32}$/.test(f[4]!) ? 'direct' : ipv6FromHex(f[4]!);
      return { present: true, via: `${gw} on ${f[9]}` };
    }
  }
  return sawLine ? { present: false } : null;
}

/**
 * `route print` lists active IPv4 routes in five columns (destination, netmask,
 * gateway, interface, metric) and IPv6 ones as (if, metric, destination, gateway).
 * Headings are localized, so rows are recognized by shape, not by section titles;
 * persistent routes have four columns and are not active by themselves.
 */
export function defaultRouteFromRoutePrint(text: string): DefaultRoute | null {
  let sawTable = false;
  for (const line of text.split(/\r?\n/)) {
    const f = line.trim().split(/\s+/);
    if (/^=+$/.test(f[0] ?? '')) sawTable = true;
    if (f.length === 5 && f[0] === '0.0.0.0' && f[1] === '0.0.0.0') return { present: true, via: `${f[2]} on ${f[3]}` };
    // A long IPv6 gateway wraps onto the next line, leaving three columns here.
    if ((f.length === 3 || f.length === 4) && /^\d+$/.test(f[0]!) && /^\d+$/.test(f[1]!) && f[2] === '::/0') {
      return { present: true, via: `${f[3] ?? 'a gateway'} on interface ${f[0]}` };
    }
  }
  return sawTable ? { present: false } : null;
}
