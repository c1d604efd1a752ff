import { describe, expect, it, vi } from 'vitest';
import { AirlockError } from '../../../shared/airlock-error.ts';
import type { IpcEventName } from '../../../shared/ipc-contract.ts';
import { ContractDispatcher, type ClientConnection, type IpcHandlers } from '../../../electron/ipc/contract-dispatcher.ts';

const KIT = `kit_${'0'.repeat(32)}`;
const PROGRESS = { phase: 'verify', bytesDone: 1, bytesTotal: 2, itemsDone: 0, itemsTotal: null, rate: 0, eta: null };

function client(): ClientConnection & { sent: Array<[IpcEventName, unknown]> } {
  const sent: Array<[IpcEventName, unknown]> = [];
  return { sent, signal: new AbortController().signal, send: (event, payload) => sent.push([event, payload]) };
}

function handlers(overrides: Partial<IpcHandlers>): IpcHandlers {
  const missing = (): never => {
    throw new Error('not used in this test');
  };
  return new Proxy(overrides as IpcHandlers, { get: (target, key: string) => (target as Record<string, unknown>)[key] ?? missing });
}

describe('ContractDispatcher', () => {
  it('refuses an unknown channel with IPC_INVALID', async () => {
    const result = await new ContractDispatcher(handlers({})).dispatch('fs.readFile', {}, client());
    expect(result).toMatchObject({ ok: false, error: { code: 'IPC_INVALID', field: 'channel' } });
  });

  it('parses the request and names the offending field', async () => {
    const verify = vi.fn();
    const result = await new ContractDispatcher(handlers({ 'kit.verify': verify })).dispatch('kit.verify', { kit: '/etc/shadow', operationId: 'op_12345678' }, client());
    expect(result).toMatchObject({ ok: false, error: { code: 'IPC_INVALID', field: 'kit' } });
    expect(verify).not.toHaveBeenCalled();
  });

  it('passes the parsed request and returns the checked response', async () => {
    const d = new ContractDispatcher(handlers({ 'operation.cancel': ({ operationId }) => ({ cancelled: operationId === 'op_12345678' }) }));
    expect(await d.dispatch('operation.cancel', { operationId: 'op_12345678' }, client())).toEqual({ ok: true, value: { cancelled: true } });
  });

  it('encodes an AirlockError as its payload, with path and remedy', async () => {
    const d = new ContractDispatcher(handlers({
      'kit.preflight': () => {
        throw new AirlockError('KIT_NOT_FOUND', 'kit not found: /media/usb/x.kit.tar', { path: '/media/usb/x.kit.tar' });
      },
    }));
    const result = await d.dispatch('kit.preflight', { kit: KIT }, client());
    expect(result).toMatchObject({ ok: false, error: { code: 'KIT_NOT_FOUND', path: '/media/usb/x.kit.tar' } });
    expect(result.ok === false && result.error.remedy.length).toBeGreaterThan(20);
  });

  it('turns an unexpected exception into INTERNAL and reports it as a defect', async () => {
    const onDefect = vi.fn();
    const d = new ContractDispatcher(handlers({ 'registry.list': () => { throw new TypeError('boom'); } }), { onDefect });
    const result = await d.dispatch('registry.list', {}, client());
    expect(result).toMatchObject({ ok: false, error: { code: 'INTERNAL', message: 'boom' } });
    expect(onDefect).toHaveBeenCalledWith('registry.list', expect.any(TypeError));
  });

  it('refuses a response that does not match the contract', async () => {
    const d = new ContractDispatcher(handlers({ 'operation.cancel': () => ({ cancelled: 'yes' }) as unknown as { cancelled: boolean } }));
    const result = await d.dispatch('operation.cancel', { operationId: 'op_12345678' }, client());
    expect(result).toMatchObject({ ok: false, error: { code: 'INTERNAL' } });
    expect(result.ok === false && result.error.message).toMatch(/does not match the contract: cancelled/);
  });

  it('forwards declared events to the requesting client only, checked against their schema', async () => {
    const c = client();
    const d = new ContractDispatcher(handlers({
      'kit.verify': (_req, ctx) => {
        ctx.emit('operation.progress', { operationId: 'op_12345678', progress: PROGRESS });
        throw new AirlockError('CANCELLED', 'stopped');
      },
    }));
    await d.dispatch('kit.verify', { kit: KIT, operationId: 'op_12345678' }, c);
    expect(c.sent).toEqual([['operation.progress', { operationId: 'op_12345678', progress: PROGRESS }]]);
  });

  it('refuses events a channel did not declare', async () => {
    const c = client();
    const d = new ContractDispatcher(handlers({
      'registry.list': (_req, ctx) => {
        ctx.emit('operation.progress', { operationId: 'op_12345678', progress: PROGRESS });
        return { releases: [] };
      },
    }));
    const result = await d.dispatch('registry.list', {}, c);
    expect(result).toMatchObject({ ok: false, error: { code: 'INTERNAL' } });
    expect(c.sent).toEqual([]);
  });
});
