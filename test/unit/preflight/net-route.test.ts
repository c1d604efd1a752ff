import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultRouteFromIpv6Route, defaultRouteFromProcNetRoute, defaultRouteFromRoutePrint } from '../../../electron/core/preflight/net-route.ts';
import { HOSTS_DIR, windowsFixture } from './fixture-host.ts';

const HEADER = 'Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT\n';

describe('/proc/net/route', () => {
  it('finds no default route on an isolated host', () => {
    const text = readFileSync(path.join(HOSTS_DIR, 'linux/rhel-9.4/proc/net/route'), 'utf8');
    expect(defaultRouteFromProcNetRoute(text)).toEqual({ present: false });
  });

  it('finds a default route and decodes its little-endian gateway', () => {
    const text = HEADER + 'eth0\t00000000\t010200C0\t0003\t0\t0\t0\t00000000\t0\t0\t0\neth0\t000200C0\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0\n';
    expect(defaultRouteFromProcNetRoute(text)).toEqual({ present: true, via: '192.0.2.1 on eth0' });
  });

  it('ignores a default route that is down or a reject route', () => {
    const down = HEADER + 'eth0\t00000000\t010200C0\t0002\t0\t0\t0\t00000000\t0\t0\t0\n';
    const reject = HEADER + 'eth0\t00000000\t00000000\t0201\t0\t0\t0\t00000000\t0\t0\t0\n';
    expect(defaultRouteFromProcNetRoute(down)).toEqual({ present: false });
    expect(defaultRouteFromProcNetRoute(reject)).toEqual({ present: false });
  });

  it('says null for text that is not a route table', () => {
    expect(defaultRouteFromProcNetRoute('')).toBeNull();
    expect(defaultRouteFromProcNetRoute('garbage\n')).toBeNull();
  });
});

describe('/proc/net/ipv6_route', () => {
  it('ignores the unreachable default route on lo', () => {
    const text = readFileSync(path.join(HOSTS_DIR, 'linux/ubuntu-24.04/proc/net/ipv6_route'), 'utf8');
    expect(defaultRouteFromIpv6Route(text)).toEqual({ present: false });
  });

  it('finds a real IPv6 default route', () => {
    const line = '00000000000000000000000000000000 00 00000000000000000000000000000000 00 fe800000000000000000000000000001 00000400 00000001 00000000 00000003   ens192\n';
    expect(defaultRouteFromIpv6Route(line)).toEqual({ present: true, via: 'fe80::1 on ens192' });
  });
});

describe('route print (Windows)', () => {
  it('finds no active default route when only a persistent one is configured', () => {
    expect(defaultRouteFromRoutePrint(windowsFixture('win10-19045-enterprise', 'route-print.txt'))).toEqual({ present: false });
  });

  it('finds the active IPv4 default route', () => {
    expect(defaultRouteFromRoutePrint(windowsFixture('win11-22631-pro', 'route-print.txt'))).toEqual({ present: true, via: '192.168.1.1 on 192.168.1.50' });
  });

  it('finds an IPv6-only default route, also when the gateway wraps to the next line', () => {
    const table = '===\r\nActive Routes:\r\n If Metric Network Destination      Gateway\r\n  7    281 ::/0                     fe80::1\r\n';
    expect(defaultRouteFromRoutePrint(table)).toEqual({ present: true, via: 'fe80::1 on interface 7' });
    const wrapped = '===\r\n  7    281 ::/0\r\n                                    fe80::aaaa:bbbb:cccc:dddd\r\n';
    expect(defaultRouteFromRoutePrint(wrapped)).toEqual({ present: true, via: 'a gateway on interface 7' });
  });

  it('says null when the output holds no table', () => {
    expect(defaultRouteFromRoutePrint('The requested operation requires elevation.')).toBeNull();
  });
});
