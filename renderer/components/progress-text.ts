// Progress in plain words: percent, amounts, speed and time left. Shared by the
// verify and import screens; pure, so the unit tests pin the wording.
import { formatBytes, formatDuration } from '../../shared/format.ts';
import type { ProgressEvent } from '../../shared/progress.ts';

export interface ProgressText {
  /** 0–100, or null while the total is unknown. */
  percent: number | null;
  amount: string;
  speed: string | null;
  timeLeft: string | null;
  items: string | null;
}

export function describeProgress(p: ProgressEvent | null): ProgressText {
  if (!p) return { percent: null, amount: 'Starting…', speed: null, timeLeft: null, items: null };
  const percent = p.bytesTotal !== null && p.bytesTotal > 0 ? Math.min(100, Math.floor((p.bytesDone / p.bytesTotal) * 100)) : null;
  const amount = p.bytesTotal !== null ? `${formatBytes(p.bytesDone)} of ${formatBytes(p.bytesTotal)}` : `${formatBytes(p.bytesDone)} read`;
  const speed = p.rate > 0 ? `${formatBytes(p.rate)}/s` : null;
  const timeLeft = p.eta !== null && p.rate > 0 ? `about ${formatDuration(p.eta)} left` : null;
  const items = p.itemsTotal !== null ? `${p.itemsDone} of ${p.itemsTotal} files checked` : p.itemsDone > 0 ? `${p.itemsDone} files checked` : null;
  return { percent, amount, speed, timeLeft, items };
}
