import type { ProgressEvent, ProgressListener } from '../../shared/progress.ts';
import type { CliIo } from './cli-types.ts';
import { formatBytes, formatDuration } from '../../shared/format.ts';

/** Draws one self-overwriting status line on a terminal; does nothing elsewhere. */
export function createTerminalProgress(io: CliIo, enabled: boolean): { listener: ProgressListener; clear(): void } {
  let drawn = false;
  let last = 0;
  const listener: ProgressListener = (e: ProgressEvent) => {
    if (!enabled) return;
    const now = Date.now();
    if (now - last < 100) return;
    last = now;
    io.stderr.write(`\r\x1b[2K${describeProgress(e)}`);
    drawn = true;
  };
  return {
    listener,
    clear() {
      if (drawn) io.stderr.write('\r\x1b[2K');
      drawn = false;
    },
  };
}

/** What the counted items are, by phase; anything unnamed is "items". */
const ITEM_WORDS: Record<string, string> = { verify: 'files', import: 'files', hash: 'files', pack: 'files', push: 'blobs' };

export function describeProgress(e: ProgressEvent): string {
  const parts = [e.phase];
  if (e.bytesTotal) parts.push(`${Math.floor((100 * e.bytesDone) / e.bytesTotal)}%`);
  parts.push(e.bytesTotal ? `${formatBytes(e.bytesDone)} of ${formatBytes(e.bytesTotal)}` : formatBytes(e.bytesDone));
  if (e.itemsTotal) parts.push(`${e.itemsDone}/${e.itemsTotal} ${ITEM_WORDS[e.phase] ?? 'items'}`);
  if (e.rate > 0) parts.push(`${formatBytes(e.rate)}/s`);
  if (e.eta !== null) parts.push(`ETA ${formatDuration(e.eta)}`);
  return parts.join('  ');
}
