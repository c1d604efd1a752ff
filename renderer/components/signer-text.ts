// How a signer is shown: a key by its fingerprint in groups of four (easy to
// read aloud when comparing over the phone), an identity by subject and issuer.
import type { KitVerification } from '../stores/kit-flow-store.ts';

export type Signer = KitVerification['signature']['signer'];

export function groupFingerprint(hex: string): string {
  return (hex.match(/.{1,4}/g) ?? []).join(' ');
}

export function describeSigner(signer: Signer): { label: string; value: string; detail: string } {
  if (signer.kind === 'key') {
    return { label: 'Signing key fingerprint (SHA-256)', value: groupFingerprint(signer.fingerprint), detail: `key hint ${signer.keyHint}` };
  }
  return { label: 'Signer identity', value: signer.subject, detail: `issued by ${signer.issuer}` };
}
