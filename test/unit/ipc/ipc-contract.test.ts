import { describe, expect, it } from 'vitest';
import { ERROR_CATALOG } from '../../../shared/error-catalog.ts';
import {
  electronChannelName,
  electronEventName,
  IPC_CHANNELS,
  IPC_CONTRACT,
  IPC_EVENTS,
  isInvokableChannel,
  isIpcChannel,
  type ChannelDef,
  type IpcChannel,
  type IpcRequest,
} from '../../../shared/ipc-contract.ts';
import { errorPayloadSchema } from '../../../shared/ipc-kit-schemas.ts';

const KIT = `kit_${'ab'.repeat(16)}`;
const OP = 'op_0123456789ab';

/** One valid request per channel; the compiler insists every channel is here. */
const VALID_REQUESTS: { [C in IpcChannel]: IpcRequest<C> } = {
  'app.info': {},
  'app.openDataDir': {},
  'kits.scan': {},
  'kits.choose': { kind: 'file' },
  'kits.dropped': { paths: ['/media/admin/KITS/app-1.0.0.kit.tar'] },
  'kit.verify': { kit: KIT, operationId: OP },
  'kit.preflight': { kit: KIT },
  'kit.import': { kit: KIT, operationId: OP },
  'operation.cancel': { operationId: OP },
  'registry.list': {},
  'registry.show': { name: 'app', version: '1.0.0' },
  'registry.diff': { from: { name: 'app', version: '1.0.0' }, to: { name: 'app', version: '1.1.0' } },
  'trust.get': {},
  'trust.addKey': { publisher: 'Acme', pem: '-----BEGIN PUBLIC KEY-----\n…' },
  'trust.addKeyless': { publisher: 'Acme', issuer: 'https://token.actions.githubusercontent.com', subject: 'https://github.com/acme/kits/.github/workflows/release.yml@refs/heads/main' },
  'trust.remove': { publisher: 'Acme', kind: 'key', index: 0 },
  'settings.installRoot': {},
  'settings.chooseInstallRoot': {},
  'workstation.key': {},
  'install.plan': { release: { name: 'app', version: '1.1.0' } },
  'install.run': { release: { name: 'app', version: '1.1.0' }, operationId: OP, planDigest: 'ab'.repeat(32), acknowledgeWarnings: true, allowDestructive: false },
  'install.status': {},
  'releases.list': {},
  'rollback.plan': { to: '1.0.0' },
  'rollback.run': { to: '1.0.0', operationId: OP, planDigest: 'cd'.repeat(32) },
  'evidence.export': { operation: 7 },
  'evidence.openFolder': { handle: `ev_${'ef'.repeat(16)}` },
  'audit.status': {},
  'audit.list': { page: 0, pageSize: 25 },
};

describe('IPC contract', () => {
  it('declares request and response schemas, a summary and only known events for every channel', () => {
    expect(IPC_CHANNELS.length).toBeGreaterThan(10);
    for (const channel of IPC_CHANNELS) {
      const def: ChannelDef = IPC_CONTRACT[channel];
      expect(def.summary.length, channel).toBeGreaterThan(10);
      expect(typeof def.request.safeParse, channel).toBe('function');
      expect(typeof def.response.safeParse, channel).toBe('function');
      for (const event of def.events ?? []) expect(Object.keys(IPC_EVENTS), channel).toContain(event);
    }
  });

  it('gives every channel and event a distinct Electron name in its own namespace', () => {
    const names = [...IPC_CHANNELS.map(electronChannelName), ...Object.keys(IPC_EVENTS).map((e) => electronEventName(e as keyof typeof IPC_EVENTS))];
    expect(new Set(names).size).toBe(names.length);
    for (const n of names) expect(n.startsWith('airlock:')).toBe(true);
  });

  it('keeps the drop channel out of reach of page script', () => {
    expect(isIpcChannel('kits.dropped')).toBe(true);
    expect(isInvokableChannel('kits.dropped')).toBe(false);
    expect(isInvokableChannel('kit.verify')).toBe(true);
    expect(isInvokableChannel('__proto__')).toBe(false);
    expect(isIpcChannel('toString')).toBe(false);
  });

  it('takes kit handles, never paths, for kit operations', () => {
    const verify = IPC_CONTRACT['kit.verify'].request;
    expect(verify.safeParse({ kit: `kit_${'a'.repeat(32)}`, operationId: 'op_12345678' }).success).toBe(true);
    expect(verify.safeParse({ kit: '/media/usb/app.kit.tar', operationId: 'op_12345678' }).success).toBe(false);
    expect(verify.safeParse({ kit: `kit_${'a'.repeat(32)}`, operationId: 'op_12345678', path: '/etc/passwd' }).success).toBe(false);
    expect(IPC_CONTRACT['kit.preflight'].request.safeParse({ kit: '../../x' }).success).toBe(false);
  });

  it('never takes an install root or a folder from the page: main decides the root, and bundles are named by handle', () => {
    const run = { release: { name: 'app', version: '1.1.0' }, operationId: OP, planDigest: 'ab'.repeat(32), acknowledgeWarnings: true, allowDestructive: false };
    expect(IPC_CONTRACT['install.run'].request.safeParse({ ...run, root: '/etc' }).success).toBe(false);
    expect(IPC_CONTRACT['install.plan'].request.safeParse({ release: { name: 'app', version: '1.1.0', root: '/etc' } }).success).toBe(false);
    expect(IPC_CONTRACT['install.run'].request.safeParse({ ...run, planDigest: 'not-a-digest' }).success).toBe(false);
    expect(IPC_CONTRACT['evidence.openFolder'].request.safeParse({ handle: '/home/admin' }).success).toBe(false);
    expect(IPC_CONTRACT['evidence.export'].request.safeParse({ operation: 7, out: '/tmp/x' }).success).toBe(false);
    expect(IPC_CONTRACT['audit.list'].request.safeParse({ page: 0, pageSize: 100000 }).success).toBe(false);
  });

  it('accepts a well-formed request on every channel and rejects it with one unknown field more', () => {
    for (const channel of IPC_CHANNELS) {
      const schema = IPC_CONTRACT[channel].request;
      expect(schema.safeParse(VALID_REQUESTS[channel]).success, channel).toBe(true);
      expect(schema.safeParse({ ...VALID_REQUESTS[channel], smuggled: '/etc/passwd' }).success, channel).toBe(false);
    }
  });

  it('carries errors as {code, message, remedy} with a known code', () => {
    expect(errorPayloadSchema.safeParse({ code: 'KIT_DIGEST_MISMATCH', message: 'x', remedy: ERROR_CATALOG.KIT_DIGEST_MISMATCH.remedy, path: 'a' }).success).toBe(true);
    expect(errorPayloadSchema.safeParse({ code: 'NOT_A_CODE', message: 'x', remedy: 'y' }).success).toBe(false);
  });

  it('validates keyless identities as the trust policy does (anchored patterns only)', () => {
    const req = IPC_CONTRACT['trust.addKeyless'].request;
    expect(req.safeParse({ publisher: 'acme', issuer: 'https://issuer.example', subject: 'release@acme.example' }).success).toBe(true);
    expect(req.safeParse({ publisher: 'acme', issuer: 'https://issuer.example', subjectPattern: 'acme' }).success).toBe(false);
    expect(req.safeParse({ publisher: 'acme', issuer: 'https://issuer.example' }).success).toBe(false);
    expect(req.safeParse({ publisher: 'acme', issuer: 'not a url', subject: 'x' }).success).toBe(false);
  });
});
