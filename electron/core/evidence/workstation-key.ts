// The workstation key: a P-256 key made on first use that signs evidence
// bundles, so an auditor can tell a bundle came from this workstation (after
// checking the key's fingerprint out of band) and was not changed since.
//   <data-dir>/keys/workstation.key.pem   PKCS#8, mode 0600, never overwritten
//   <data-dir>/keys/workstation.pub.pem   SPKI, derived from the private key
// The private key is created in a temp file and hard-linked to its final name:
// link() never replaces an existing file, so two processes starting at once
// agree on one key and a crash never leaves a half-written key under the name.
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { AirlockError } from '../../../shared/airlock-error.ts';
import { loadSigningKey, type SigningKey } from '../trust/sign-blob.ts';

export const KEYS_DIR = 'keys';
export const WORKSTATION_KEY_FILE = 'workstation.key.pem';
export const WORKSTATION_PUBLIC_KEY_FILE = 'workstation.pub.pem';

export interface WorkstationKey {
  signingKey: SigningKey;
  /** Hex SHA-256 of the public key's DER SubjectPublicKeyInfo (trust/key-identity.ts). */
  fingerprint: string;
  publicKeyPem: string;
  keyPath: string;
  publicKeyPath: string;
  /** True when this call made the key. */
  created: boolean;
}

export interface WorkstationKeyDeps {
  /** POSIX permission checks are skipped on Windows, where the data dir's ACL protects the key. */
  platform?: NodeJS.Platform;
}

function ioError(what: string, file: string, error: unknown): AirlockError {
  return new AirlockError('IO_ERROR', `cannot ${what} ${file}: ${(error as Error).message}`, { path: file, cause: error });
}

function writeNew(file: string, data: string, mode: number): boolean {
  const tmp = `${file}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    const fd = fs.openSync(tmp, 'wx', mode);
    try {
      fs.writeFileSync(fd, data);
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    try {
      fs.linkSync(tmp, file);
      return true;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
      throw error;
    }
  } catch (error) {
    throw ioError('write', file, error);
  } finally {
    fs.rmSync(tmp, { force: true });
  }
}

function checkPrivate(file: string, platform: NodeJS.Platform): void {
  if (platform === 'win32') return;
  const st = fs.statSync(file);
  if ((st.mode & 0o077) !== 0) {
    throw new AirlockError('KEY_INVALID', `the workstation key ${file} is readable by other users (mode ${(st.mode & 0o777).toString(8)}); evidence signed with it proves nothing. Run "chmod 600 ${file}" if you are sure no one copied it, or move it away to make a new key (and tell your auditors the new fingerprint)`, { path: file });
  }
  if (typeof process.getuid === 'function' && st.uid !== process.getuid()) {
    throw new AirlockError('KEY_INVALID', `the workstation key ${file} belongs to another user (uid ${st.uid})`, { path: file });
  }
}

/** Loads the workstation key, creating it (and its public half) on first use. */
export function loadOrCreateWorkstationKey(dataDir: string, deps: WorkstationKeyDeps = {}): WorkstationKey {
  const platform = deps.platform ?? process.platform;
  const dir = path.join(dataDir, KEYS_DIR);
  const keyPath = path.join(dir, WORKSTATION_KEY_FILE);
  const publicKeyPath = path.join(dir, WORKSTATION_PUBLIC_KEY_FILE);
  try {
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  } catch (error) {
    throw ioError('create', dir, error);
  }
  let created = false;
  if (!fs.existsSync(keyPath)) {
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    // Another process may have won the race; then its key is the key.
    created = writeNew(keyPath, pem, 0o600);
  }
  checkPrivate(keyPath, platform);
  let pem: string;
  try {
    pem = fs.readFileSync(keyPath, 'utf8');
  } catch (error) {
    throw ioError('read', keyPath, error);
  }
  const signingKey = loadSigningKey(pem, keyPath);
  let publicOnDisk: string | undefined;
  try {
    publicOnDisk = fs.readFileSync(publicKeyPath, 'utf8');
  } catch {
    publicOnDisk = undefined;
  }
  if (publicOnDisk !== signingKey.publicKeyPem) {
    // The public half is a convenience copy for auditors; the private key decides it.
    if (publicOnDisk !== undefined) fs.rmSync(publicKeyPath, { force: true });
    writeNew(publicKeyPath, signingKey.publicKeyPem, 0o644);
  }
  return { signingKey, fingerprint: signingKey.fingerprint, publicKeyPem: signingKey.publicKeyPem, keyPath, publicKeyPath, created };
}

/** Groups a hex fingerprint in fours for reading aloud over the phone. */
export function formatFingerprint(hex: string): string {
  return hex.match(/.{1,4}/g)?.join(' ') ?? hex;
}
