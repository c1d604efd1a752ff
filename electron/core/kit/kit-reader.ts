// One streaming pass over a kit in any container form: the caller sees checked
// entries (KIT-FORMAT §2) and file bytes, never the container.
import type { KitCompression, KitContainerInfo } from '../../../shared/kit-verification.ts';
import { decompressedChunks } from './kit-decompress.ts';
import { listKitDirectory, readKitDirectory, type DirectoryKitListing } from './kit-directory-reader.ts';
import { KitEntryChecker, type CheckedKitEntry } from './kit-entry-checker.ts';
import { ArchiveByteReader, openKitSource, throwIfCancelled, type KitSource } from './kit-source.ts';
import { readTarStream, type TarEntryHeader, type TarVisitor } from './tar-stream-reader.ts';

export interface KitEntryVisitor {
  /** Every file and directory entry, checked. `data`/`end` follow for files only. */
  entry(entry: CheckedKitEntry): void | Promise<void>;
  data(chunk: Buffer): void | Promise<void>;
  end(): void | Promise<void>;
}

export interface KitReadOptions {
  signal?: AbortSignal;
  /** Bytes read from the medium (compressed bytes for archives). */
  onBytes?: (n: number) => void;
}

/** Thrown by a visitor to stop reading early without an error (the rest is not checked). */
export class StopReading extends Error {
  constructor() {
    super('stop reading');
    this.name = 'StopReading';
  }
}

export class KitReader {
  readonly source: KitSource;
  private readonly listing: DirectoryKitListing | null;

  private constructor(source: KitSource, listing: DirectoryKitListing | null) {
    this.source = source;
    this.listing = listing;
  }

  /** Resolves what `kitPath` is (KIT_NOT_FOUND, KIT_PART_MISSING, KIT_PARTS_INVALID are raised here). */
  static async open(kitPath: string, signal?: AbortSignal): Promise<KitReader> {
    const source = await openKitSource(kitPath);
    const listing = source.kind === 'directory' ? await listKitDirectory(source.path, signal) : null;
    return new KitReader(source, listing);
  }

  /** Bytes of the medium: the archive or the sum of its parts, or the files of an unpacked kit. */
  get bytesTotal(): number {
    return this.source.kind === 'archive' ? this.source.bytesTotal : this.listing!.bytesTotal;
  }

  /** Reads the whole kit once, calling the visitor; returns what the container was. */
  async read(visitor: KitEntryVisitor, opts: KitReadOptions = {}): Promise<KitContainerInfo> {
    const checker = new KitEntryChecker({ checkDirectoryModes: this.source.kind === 'archive' });
    const signal = opts.signal;
    let inFile = false;
    // Checked here too, not only at reads: a small compressed chunk can expand to a lot of work.
    const checked: TarVisitor = {
      entry(raw: TarEntryHeader) {
        throwIfCancelled(signal);
        const entry = checker.check(raw);
        if (entry === null) return;
        inFile = entry.kind === 'file';
        return visitor.entry(entry);
      },
      data(chunk: Buffer) {
        throwIfCancelled(signal);
        return visitor.data(chunk);
      },
      end() {
        if (!inFile) return;
        inFile = false;
        return visitor.end();
      },
    };

    if (this.source.kind === 'directory') {
      let bytesRead = 0;
      const onBytes = (n: number): void => {
        bytesRead += n;
        opts.onBytes?.(n);
      };
      try {
        await readKitDirectory(this.listing!, checked, { signal: opts.signal, onBytes });
      } catch (error) {
        if (!(error instanceof StopReading)) throw error;
      }
      return { kind: 'directory', compression: 'none', parts: null, bytesRead };
    }

    const source = this.source;
    const bytes = new ArchiveByteReader(source, { signal: opts.signal, onBytes: opts.onBytes });
    const info: { compression?: KitCompression } = {};
    try {
      await readTarStream(decompressedChunks(bytes.chunks(), info), checked);
    } catch (error) {
      if (!(error instanceof StopReading)) throw await bytes.explainFailure(error);
    }
    return { kind: 'archive', compression: info.compression ?? 'none', parts: source.split ? source.files.length : null, bytesRead: bytes.bytesRead };
  }
}
