import { AirlockError } from '../../shared/airlock-error.ts';
import { KIT_NAME_RE, isSemver } from '../../shared/kit-manifest.ts';

/**
 * NAME@VERSION as every command takes it. Names and versions follow kit.json's
 * own rules, so a typo is a usage error here rather than "not found" later.
 */
export function parseReleaseRef(arg: string, field = 'NAME@VERSION'): { name: string; version: string } {
  const at = arg.lastIndexOf('@');
  const name = at > 0 ? arg.slice(0, at) : '';
  const version = at > 0 ? arg.slice(at + 1) : '';
  if (!KIT_NAME_RE.test(name) || !isSemver(version)) {
    throw new AirlockError('USAGE', `expected NAME@VERSION (e.g. hello@1.2.3), got "${arg}"`, { field });
  }
  return { name, version };
}
