import fs from 'node:fs';
import path from 'node:path';
import type { ParseArgsOptionsConfig } from 'node:util';
import { AirlockError } from '../../shared/airlock-error.ts';
import { DEFAULT_TRUST_POLICY_FILE, type TrustInput } from '../core/trust/trust-policy.ts';
import type { CommandContext } from './cli-types.ts';

/** Trust flags, accepted wherever a signature is checked (DESIGN §3). */
export const TRUST_OPTIONS = {
  key: { type: 'string', multiple: true },
  'trusted-root': { type: 'string' },
  identity: { type: 'string' },
  issuer: { type: 'string' },
  policy: { type: 'string' },
} as const satisfies ParseArgsOptionsConfig;

export const TRUST_USAGE = '(--key PUB.pem ... | --trusted-root FILE --identity SUBJECT --issuer URL | --policy FILE)';

/** True when any trust flag was given. */
export function hasTrustOptions(ctx: CommandContext): boolean {
  return Object.keys(TRUST_OPTIONS).some((k) => {
    const v = ctx.options[k];
    return Array.isArray(v) ? v.length > 0 : v !== undefined;
  });
}

export function trustInputFromOptions(ctx: CommandContext): TrustInput {
  const o = ctx.options;
  const keys = (o.key as string[] | undefined) ?? [];
  const policy = o.policy as string | undefined;
  const root = o['trusted-root'] as string | undefined;
  const identity = o.identity as string | undefined;
  const issuer = o.issuer as string | undefined;
  const keyless = root !== undefined || identity !== undefined || issuer !== undefined;
  const chosen = [keys.length > 0, keyless, policy !== undefined].filter(Boolean).length;
  if (chosen === 0) {
    // Without flags, the same policy the desktop app's Settings edit.
    const defaultPolicy = path.join(ctx.dataDir, DEFAULT_TRUST_POLICY_FILE);
    if (fs.existsSync(defaultPolicy)) return { policyFile: defaultPolicy };
    throw new AirlockError('USAGE', `a signature is checked here, so say whom to trust: ${TRUST_USAGE}, or keep a policy at ${defaultPolicy}`, { field: '--key' });
  }
  if (chosen > 1) {
    throw new AirlockError('USAGE', 'give only one of --key, --trusted-root/--identity/--issuer, or --policy', { field: '--policy' });
  }
  if (keyless && (root === undefined || identity === undefined || issuer === undefined)) {
    const missing = [root === undefined && '--trusted-root', identity === undefined && '--identity', issuer === undefined && '--issuer'].filter(Boolean).join(', ');
    throw new AirlockError('USAGE', `keyless trust needs --trusted-root, --identity and --issuer together (missing ${missing})`, { field: missing.split(',')[0] });
  }
  if (policy !== undefined) return { policyFile: ctx.resolvePath(policy) };
  if (keys.length > 0) return { keyFiles: keys.map((k) => ctx.resolvePath(k)) };
  return { trustedRootFile: ctx.resolvePath(root!), identity: identity!, issuer: issuer! };
}
