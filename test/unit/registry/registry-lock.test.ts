import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RegistryLock } from '../../../electron/core/registry/registry-lock.ts';

let tmp: string;
let file: string;
beforeEach(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'airlock-lock-'));
  file = path.join(tmp, 'registry.lock');
});
afterEach(() => {
  fs.rmSync(tmp, { recursive: true, force: true });
});

const holderFile = (pid: number, host = os.hostname(), command = 'airlock kit import a.kit.tar'): void =>
  fs.writeFileSync(file, JSON.stringify({ pid, host, command, startedAt: '2026-03-01T12:00:00.000Z' }) + '\n');

describe('RegistryLock', () => {
  it('is held exclusively and names its holder', async () => {
    const lock = await RegistryLock.acquire(file, { command: 'kit import one' });
    expect(RegistryLock.readHolder(file)).toMatchObject({ pid: process.pid, host: os.hostname(), command: 'kit import one' });
    // Another live process (simulated by a different pid that is alive: our parent).
    const other = { pid: process.ppid };
    await expect(RegistryLock.acquire(file, { command: 'kit import two' }, other)).rejects.toMatchObject({
      code: 'REGISTRY_LOCKED',
      path: file,
      message: expect.stringContaining(`"kit import one" (pid ${process.pid} on ${os.hostname()}`),
    });
    lock.release();
    expect(fs.existsSync(file)).toBe(false);
    const second = await RegistryLock.acquire(file, { command: 'kit import two' }, other);
    second.release();
  });

  it('waits for a live holder up to --wait seconds, then fails with REGISTRY_LOCKED', async () => {
    holderFile(process.ppid);
    let t = 0;
    const sleeps: number[] = [];
    const deps = { now: () => new Date(t), sleep: async (ms: number) => { sleeps.push(ms); t += ms; } };
    await expect(RegistryLock.acquire(file, { command: 'x', waitSeconds: 2 }, deps)).rejects.toMatchObject({
      code: 'REGISTRY_LOCKED',
      message: expect.stringContaining('stayed locked for 2 s'),
      details: { holder: expect.objectContaining({ pid: process.ppid }) },
    });
    expect(t).toBeGreaterThanOrEqual(2000);
    expect(sleeps.length).toBeGreaterThan(1);
  });

  it('gets the lock once the holder releases it during the wait', async () => {
    holderFile(process.ppid);
    let t = 0;
    const deps = {
      now: () => new Date(t),
      sleep: async (ms: number) => {
        t += ms;
        if (t >= 600) fs.rmSync(file, { force: true });
      },
    };
    const lock = await RegistryLock.acquire(file, { command: 'waiter', waitSeconds: 5 }, deps);
    expect(t).toBeGreaterThanOrEqual(600);
    expect(RegistryLock.readHolder(file)?.command).toBe('waiter');
    lock.release();
  });

  it('takes over a lock left by a dead process on this host', async () => {
    holderFile(999_999_999);
    const lock = await RegistryLock.acquire(file, { command: 'after crash' }, { isAlive: () => false });
    expect(RegistryLock.readHolder(file)).toMatchObject({ pid: process.pid, command: 'after crash' });
    expect(fs.readdirSync(tmp)).toEqual(['registry.lock']);
    lock.release();
  });

  it('never takes over a lock from another host', async () => {
    holderFile(12345, 'other-host.example');
    await expect(RegistryLock.acquire(file, { command: 'x' }, { isAlive: () => false })).rejects.toMatchObject({ code: 'REGISTRY_LOCKED', message: expect.stringContaining('other-host.example') });
    expect(RegistryLock.tryAcquire(file, 'x', { isAlive: () => false })).toBeUndefined();
  });

  it('treats an empty lock file as being written, and as stale once it is old', async () => {
    fs.writeFileSync(file, '');
    expect(RegistryLock.tryAcquire(file, 'x')).toBeUndefined();
    const old = new Date(Date.now() - 60_000);
    fs.utimesSync(file, old, old);
    const lock = RegistryLock.tryAcquire(file, 'x');
    expect(lock).toBeDefined();
    lock!.release();
  });

  it('release removes only its own lock', async () => {
    const lock = await RegistryLock.acquire(file, { command: 'mine' });
    holderFile(process.ppid, os.hostname(), 'someone else');
    lock.release();
    expect(RegistryLock.readHolder(file)?.command).toBe('someone else');
  });

  it('stops waiting when cancelled', async () => {
    holderFile(process.ppid);
    const ac = new AbortController();
    const deps = { sleep: async () => { ac.abort(); } };
    await expect(RegistryLock.acquire(file, { command: 'x', waitSeconds: 60, signal: ac.signal }, deps)).rejects.toMatchObject({ code: 'CANCELLED' });
  });
});
