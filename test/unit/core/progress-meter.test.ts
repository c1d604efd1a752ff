import { describe, expect, it } from 'vitest';
import type { ProgressEvent } from '../../../shared/progress.ts';
import { ProgressMeter } from '../../../electron/core/progress-meter.ts';

describe('ProgressMeter', () => {
  it('throttles to one event per interval and computes rate and ETA from the injected clock', () => {
    let t = 0;
    const events: ProgressEvent[] = [];
    const m = new ProgressMeter({ phase: 'verify', listener: (e) => events.push(e), bytesTotal: 1000, now: () => t, intervalMs: 100 });
    m.addBytes(10); // t=0: first event
    t = 50;
    m.addBytes(10); // throttled
    t = 1000;
    m.addBytes(80); // 100 bytes over 1 s
    expect(events).toHaveLength(2);
    const last = events[1]!;
    expect(last.bytesDone).toBe(100);
    expect(last.rate).toBeCloseTo(90, 5); // 90 bytes since the first sample at t=0 (10 bytes)
    expect(last.eta).toBeCloseTo(10, 5); // 900 bytes left at 90 B/s
    m.flush();
    expect(events).toHaveLength(3);
  });

  it('reports no ETA without a total', () => {
    let t = 0;
    const events: ProgressEvent[] = [];
    const m = new ProgressMeter({ phase: 'x', listener: (e) => events.push(e), now: () => t });
    m.addItems(3);
    t = 500;
    m.addBytes(5);
    expect(events.at(-1)).toMatchObject({ itemsDone: 3, bytesDone: 5, eta: null, bytesTotal: null });
  });
});
