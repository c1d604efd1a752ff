import type { ProgressEvent, ProgressListener } from '../../shared/progress.ts';

/**
 * Turns counters into throttled progress events (at most one per interval,
 * plus a final one), with the rate over a sliding window and an ETA. The clock
 * is injected so tests need not sleep.
 */
export class ProgressMeter {
  private bytesDone = 0;
  private itemsDone = 0;
  private lastEmit = -Infinity;
  private readonly samples: Array<{ t: number; bytes: number }> = [];
  private readonly listener: ProgressListener | undefined;
  private readonly now: () => number;
  private readonly intervalMs: number;
  phase: string;
  bytesTotal: number | null;
  itemsTotal: number | null;

  constructor(opts: { phase: string; listener?: ProgressListener; bytesTotal?: number | null; itemsTotal?: number | null; now?: () => number; intervalMs?: number }) {
    this.phase = opts.phase;
    this.listener = opts.listener;
    this.bytesTotal = opts.bytesTotal ?? null;
    this.itemsTotal = opts.itemsTotal ?? null;
    this.now = opts.now ?? (() => performance.now());
    this.intervalMs = opts.intervalMs ?? 100;
  }

  addBytes(n: number): void {
    this.bytesDone += n;
    this.maybeEmit();
  }

  addItems(n = 1): void {
    this.itemsDone += n;
    this.maybeEmit();
  }

  /** Emits regardless of the throttle (phase changes and the end). */
  flush(): void {
    if (!this.listener) return;
    this.lastEmit = this.now();
    this.listener(this.snapshot());
  }

  snapshot(): ProgressEvent {
    const t = this.now();
    this.samples.push({ t, bytes: this.bytesDone });
    while (this.samples.length > 2 && t - this.samples[0]!.t > 3000) this.samples.shift();
    const first = this.samples[0]!;
    const dt = (t - first.t) / 1000;
    const rate = dt > 0 ? (this.bytesDone - first.bytes) / dt : 0;
    const eta = this.bytesTotal !== null && rate > 0 ? Math.max(0, (this.bytesTotal - this.bytesDone) / rate) : null;
    return {
      phase: this.phase,
      bytesDone: this.bytesDone,
      bytesTotal: this.bytesTotal,
      itemsDone: this.itemsDone,
      itemsTotal: this.itemsTotal,
      rate,
      eta,
    };
  }

  private maybeEmit(): void {
    if (!this.listener) return;
    if (this.now() - this.lastEmit < this.intervalMs) return;
    this.flush();
  }
}
