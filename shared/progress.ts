// Progress events for long work (DESIGN §2 rule 5). Producers throttle to about
// ten a second; consumers must not assume any rate.

export interface ProgressEvent {
  phase: string;
  bytesDone: number;
  bytesTotal: number | null;
  itemsDone: number;
  itemsTotal: number | null;
  /** Bytes per second over the recent window. */
  rate: number;
  /** Seconds remaining, when it can be estimated. */
  eta: number | null;
}

export type ProgressListener = (event: ProgressEvent) => void;
