import { describe, expect, it } from 'vitest';
import { describeHandle, KitHandleRegistry, MAX_KIT_HANDLES } from '../../../../electron/services/kit-handles.ts';

const at = (p: string) => ({ path: p, kind: 'archive' as const, sizeBytes: 10, source: 'folder' as const, location: 'Kit folder' });

describe('KitHandleRegistry', () => {
  it('hands out opaque random ids and resolves only those', () => {
    const handles = new KitHandleRegistry();
    const h = handles.register(at('/media/usb/app-1.0.0.kit.tar'));
    expect(h.id).toMatch(/^kit_[0-9a-f]{32}$/);
    expect(h.name).toBe('app-1.0.0.kit.tar');
    expect(handles.get(h.id).path).toBe('/media/usb/app-1.0.0.kit.tar');
    expect(() => handles.get(`kit_${'0'.repeat(32)}`)).toThrow(expect.objectContaining({ code: 'KIT_HANDLE_UNKNOWN' }));
  });

  it('keeps the same id for the same path across scans, updating what it knows', () => {
    const handles = new KitHandleRegistry();
    const a = handles.register(at('/srv/kits/a.kit.tar'));
    const b = handles.register({ ...at('/srv/kits/a.kit.tar'), source: 'dialog', location: 'Chosen in a dialog' });
    expect(b.id).toBe(a.id);
    expect(handles.get(a.id).source).toBe('dialog');
  });

  it('remembers the verification made through a handle', () => {
    const handles = new KitHandleRegistry();
    const h = handles.register(at('/srv/kits/a.kit.tar'));
    expect(h.verification).toBeNull();
    handles.setVerification(h.id, { name: 'a' } as never);
    expect(handles.get(h.id).verification).toEqual({ name: 'a' });
  });

  it('forgets the oldest handles beyond its limit', () => {
    let n = 0;
    const handles = new KitHandleRegistry(() => `kit_${String(n++).padStart(32, '0')}`);
    const first = handles.register(at('/k/0.kit.tar'));
    for (let i = 1; i <= MAX_KIT_HANDLES; i++) handles.register(at(`/k/${i}.kit.tar`));
    expect(() => handles.get(first.id)).toThrow(expect.objectContaining({ code: 'KIT_HANDLE_UNKNOWN' }));
  });

  it('describes a handle for the renderer with its path for display only', () => {
    const h = new KitHandleRegistry().register(at('/srv/kits/a.kit.tar'));
    expect(describeHandle(h)).toEqual({ id: h.id, name: 'a.kit.tar', displayPath: '/srv/kits/a.kit.tar', kind: 'archive', sizeBytes: 10, source: 'folder', location: 'Kit folder' });
  });
});
