// Compression is decided by magic bytes only, never by the file name
// (KIT-FORMAT §1): gzip 1f 8b, zstd 28 b5 2f fd, anything else must be a plain
// tar (the tar reader then insists on "ustar" at offset 257).
import { once } from 'node:events';
import { Readable, pipeline } from 'node:stream';
import { createGunzip, createZstdDecompress } from 'node:zlib';
import { AirlockError } from '../../../shared/airlock-error.ts';
import type { KitCompression } from '../../../shared/kit-verification.ts';

const DECOMPRESS_CHUNK_BYTES = 256 * 1024;

export function detectCompression(head: Uint8Array): KitCompression {
  if (head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b) return 'gzip';
  if (head.length >= 4 && head[0] === 0x28 && head[1] === 0xb5 && head[2] === 0x2f && head[3] === 0xfd) return 'zstd';
  return 'none';
}

function damaged(compression: KitCompression, error: unknown): AirlockError {
  const why = error instanceof Error ? error.message : String(error);
  return new AirlockError('KIT_TRUNCATED', `the ${compression} stream of the kit is damaged or ends early: ${why}`, {
    details: { compression },
    cause: error,
  });
}

/**
 * Yields the tar bytes of `raw`, decompressing when its first bytes say so.
 * `info.compression` is set once the first bytes are seen. Errors of the raw
 * source pass through unchanged; decompression errors become KIT_TRUNCATED.
 */
export async function* decompressedChunks(raw: AsyncIterable<Buffer>, info: { compression?: KitCompression }): AsyncGenerator<Buffer, void, undefined> {
  const it = raw[Symbol.asyncIterator]();
  let finished = false;
  try {
    // The first chunk is normally 1 MiB; gather tiny leading parts only.
    const head: Buffer[] = [];
    let headLen = 0;
    while (headLen < 4) {
      const r = await it.next();
      if (r.done) {
        finished = true;
        break;
      }
      head.push(Buffer.from(r.value)); // raw chunks are reused after next(); keep a copy
      headLen += r.value.length;
    }
    const first = Buffer.concat(head);
    const compression = detectCompression(first);
    info.compression = compression;

    // zlib keeps a chunk until it has consumed it, so it gets its own copy.
    const copy = compression !== 'none';
    async function* rest(): AsyncGenerator<Buffer, void, undefined> {
      if (first.length > 0) yield first;
      while (!finished) {
        const r = await it.next();
        if (r.done) {
          finished = true;
          return;
        }
        yield copy ? Buffer.from(r.value) : r.value;
      }
    }

    if (compression === 'none') {
      yield* rest();
      return;
    }

    const z = compression === 'gzip' ? createGunzip({ chunkSize: DECOMPRESS_CHUNK_BYTES }) : createZstdDecompress({ chunkSize: DECOMPRESS_CHUNK_BYTES });
    const src = Readable.from(rest(), { highWaterMark: 1 });
    let sourceError: unknown;
    src.once('error', (error) => {
      sourceError = error;
    });
    pipeline(src, z, () => undefined);
    try {
      for await (const chunk of z) yield chunk as Buffer;
    } catch (error) {
      if (sourceError !== undefined) throw sourceError;
      if (error instanceof AirlockError) throw error;
      throw damaged(compression, error);
    } finally {
      if (!src.destroyed) src.destroy();
      if (!z.destroyed) z.destroy();
      // Readable.from closes the source iterator (and so the file) before 'close'.
      if (!src.closed) await once(src, 'close').catch(() => undefined);
    }
  } finally {
    if (!finished) await it.return?.();
  }
}
