import { describe, expect, it } from 'vitest';
import { createTerminalProgress, describeProgress } from '../../../electron/cli/terminal-progress.ts';
import type { CliIo } from '../../../electron/cli/cli-types.ts';

const event = { phase: 'verify', bytesDone: 512 * 1024 * 1024, bytesTotal: 1024 * 1024 * 1024, itemsDone: 10, itemsTotal: 40, rate: 200 * 1024 * 1024, eta: 2.6 };

describe('terminal progress', () => {
  it('says percent, bytes, items with the word for the phase, rate and ETA', () => {
    expect(describeProgress(event)).toBe('verify  50%  512 MiB of 1.0 GiB  10/40 files  200 MiB/s  ETA 3s');
    expect(describeProgress({ ...event, phase: 'push' })).toContain('10/40 blobs');
    expect(describeProgress({ ...event, phase: 'other' })).toContain('10/40 items');
  });

  it('draws only on a terminal and clears its line', () => {
    const written: string[] = [];
    const io: CliIo = { stdout: { write: () => true }, stderr: { write: (s: string) => written.push(s) }, stderrIsTTY: true, env: {}, cwd: '/' };
    const off = createTerminalProgress(io, false);
    off.listener(event);
    off.clear();
    expect(written).toEqual([]);
    const on = createTerminalProgress(io, true);
    on.listener(event);
    on.clear();
    expect(written).toHaveLength(2);
    expect(written[0]!.startsWith('\r\u001b[2Kverify  50%')).toBe(true);
    expect(written[1]).toBe('\r\x1b[2K');
  });
});
