import { describe, expect, it, vi } from 'vitest';
import { electronChannelName, electronEventName } from '../../../shared/ipc-contract.ts';

const exposed = vi.hoisted(() => ({ worlds: new Map<string, unknown>() }));

vi.mock('electron', () => ({
  contextBridge: { exposeInMainWorld: (key: string, api: unknown) => exposed.worlds.set(key, api) },
  ipcRenderer: { invoke: vi.fn(), on: vi.fn(), removeListener: vi.fn() },
  webUtils: { getPathForFile: () => '' },
}));

const { createPreloadBridge } = await import('../../../electron/preload.ts');

function deps() {
  const listeners = new Map<string, (event: unknown, payload: unknown) => void>();
  return {
    listeners,
    invoke: vi.fn(async (channel: string, request: unknown) => ({ ok: true, value: { channel, request } })),
    on: vi.fn((channel: string, l: (event: unknown, payload: unknown) => void) => listeners.set(channel, l)),
    removeListener: vi.fn((channel: string) => listeners.delete(channel)),
    getPathForFile: (file: File) => (file.name === 'web-only.kit.tar' ? '' : `/media/usb/${file.name}`),
  };
}

describe('preload', () => {
  it('exposes window.airlock in desktop mode', () => {
    expect(exposed.worlds.has('airlock')).toBe(true);
    expect((exposed.worlds.get('airlock') as { mode: string }).mode).toBe('electron');
  });

  it('invokes contract channels under their Electron names', async () => {
    const d = deps();
    const bridge = createPreloadBridge(d);
    expect(await bridge.invoke('registry.list', {})).toEqual({ ok: true, value: { channel: electronChannelName('registry.list'), request: {} } });
  });

  it('refuses channels that are not in the contract or only for the preload, without sending them', async () => {
    const d = deps();
    const bridge = createPreloadBridge(d);
    expect(await bridge.invoke('kits.dropped' as never, { paths: ['/etc/passwd'] })).toMatchObject({ ok: false, error: { code: 'IPC_INVALID' } });
    expect(await bridge.invoke('shell.openExternal' as never, {})).toMatchObject({ ok: false, error: { code: 'IPC_INVALID' } });
    expect(d.invoke).not.toHaveBeenCalled();
  });

  it('hands events to the page without the IPC event object, and unsubscribes', () => {
    const d = deps();
    const bridge = createPreloadBridge(d);
    const got: unknown[][] = [];
    const off = bridge.on('operation.progress', (...args) => got.push(args));
    d.listeners.get(electronEventName('operation.progress'))!({ sender: 'ipc internals' }, { operationId: 'op_1' });
    expect(got).toEqual([[{ operationId: 'op_1' }]]);
    off();
    expect(d.removeListener).toHaveBeenCalledWith(electronEventName('operation.progress'), expect.any(Function));
    expect(() => bridge.on('not.an.event' as never, () => {})).toThrow();
  });

  it('turns dropped files into paths itself and names the ones without one', async () => {
    const d = deps();
    d.invoke.mockResolvedValueOnce({ ok: true, value: { kits: [{ id: 'k' }], rejected: [{ name: 'notes.txt', reason: 'not a kit' }] } } as never);
    const bridge = createPreloadBridge(d);
    const result = await bridge.dropFiles!([new File(['x'], 'app.kit.tar'), new File(['y'], 'web-only.kit.tar')]);
    expect(d.invoke).toHaveBeenCalledWith(electronChannelName('kits.dropped'), { paths: ['/media/usb/app.kit.tar'] });
    expect(result).toEqual({ ok: true, value: { kits: [{ id: 'k' }], rejected: [{ name: 'web-only.kit.tar', reason: 'not a file on this computer' }, { name: 'notes.txt', reason: 'not a kit' }] } });
  });

  it('does not call the main side when no dropped file has a path', async () => {
    const d = deps();
    const result = await createPreloadBridge(d).dropFiles!([new File(['y'], 'web-only.kit.tar')]);
    expect(result).toEqual({ ok: true, value: { kits: [], rejected: [{ name: 'web-only.kit.tar', reason: 'not a file on this computer' }] } });
    expect(d.invoke).not.toHaveBeenCalled();
  });
});
