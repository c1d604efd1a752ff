// The console-mode wire format: the IPC contract carried over one WebSocket.
// The page sends invoke frames; the server answers each with a result frame of
// the same id and pushes event frames for the operations that page started.
import { z } from 'zod';

/** Path of the WebSocket endpoint on the console server. */
export const CONSOLE_WEBSOCKET_PATH = '/ipc';
/** Largest frame the server accepts (a trusted_root.json upload is the biggest request). */
export const CONSOLE_MAX_FRAME_BYTES = 5 * 1024 * 1024;

export const clientFrameSchema = z.object({
  type: z.literal('invoke'),
  id: z.number().int().nonnegative(),
  channel: z.string(),
  request: z.unknown(),
});
export type ClientFrame = z.infer<typeof clientFrameSchema>;

export type ServerFrame =
  | { type: 'result'; id: number; result: unknown }
  | { type: 'event'; event: string; payload: unknown };
