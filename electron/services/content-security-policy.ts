// The renderer's Content-Security-Policy, for both faces. No inline script or
// style, nothing from elsewhere; the only connection the page may open is the
// console server's own WebSocket (none in the desktop app, which talks IPC).

const BASE_DIRECTIVES = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
  "object-src 'none'",
];

export function desktopContentSecurityPolicy(): string {
  return [...BASE_DIRECTIVES, "connect-src 'none'"].join('; ');
}

/** host is the checked Host header ("127.0.0.1:PORT" or "localhost:PORT"). */
export function consoleContentSecurityPolicy(host: string): string {
  return [...BASE_DIRECTIVES, `connect-src ws://${host}`].join('; ');
}

/** Headers every renderer response carries besides the CSP. */
export const RENDERER_SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'X-Frame-Options': 'DENY',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Resource-Policy': 'same-origin',
  'Permissions-Policy': 'camera=(), microphone=(), geolocation=(), usb=(), serial=(), hid=()',
  'Cache-Control': 'no-store',
};
