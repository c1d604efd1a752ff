// The window's own settings, kept in the data folder beside the catalog:
// <data-dir>/app-settings.json. Today it holds the install root chosen in
// Settings (the desktop app picks it with the native folder dialog, so the
// page never names a path). Written atomically, like the trust policy.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { AirlockError } from '../../shared/airlock-error.ts';

export const APP_SETTINGS_FILE = 'app-settings.json';
export const APP_SETTINGS_SCHEMA = 'airlock.app-settings/v1';

const settingsSchema = z.object({
  schema: z.literal(APP_SETTINGS_SCHEMA),
  /** Absolute path of the folder releases are installed into. */
  installRoot: z.string().min(1).refine((p) => path.isAbsolute(p), 'must be an absolute path').optional(),
});

export type AppSettings = z.infer<typeof settingsSchema>;

export class AppSettingsStore {
  readonly file: string;
  #queue: Promise<unknown> = Promise.resolve();

  constructor(file: string) {
    this.file = file;
  }

  async read(): Promise<AppSettings> {
    let text: string;
    try {
      text = await fs.readFile(this.file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { schema: APP_SETTINGS_SCHEMA };
      throw new AirlockError('IO_ERROR', `cannot read ${this.file}: ${(error as Error).message}`, { path: this.file, cause: error });
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (error) {
      throw new AirlockError('IO_ERROR', `${this.file} is not JSON (${(error as Error).message}); remove it to start from the defaults`, { path: this.file, cause: error });
    }
    const parsed = settingsSchema.safeParse(json);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new AirlockError('IO_ERROR', `${this.file} is not valid: ${issue ? `${issue.path.join('.') || '(file)'}: ${issue.message}` : 'unknown problem'}; remove it to start from the defaults`, {
        path: this.file,
        ...(issue ? { field: issue.path.join('.') } : {}),
      });
    }
    return parsed.data;
  }

  setInstallRoot(root: string): Promise<AppSettings> {
    return this.#update((s) => ({ ...s, installRoot: path.resolve(root) }));
  }

  #update(change: (settings: AppSettings) => AppSettings): Promise<AppSettings> {
    const run = async (): Promise<AppSettings> => {
      const next = settingsSchema.parse(change(await this.read()));
      await fs.mkdir(path.dirname(this.file), { recursive: true });
      const temp = `${this.file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
      try {
        await fs.writeFile(temp, `${JSON.stringify(next, null, 2)}\n`, { mode: 0o644 });
        const handle = await fs.open(temp, 'r+');
        try {
          await handle.sync();
        } finally {
          await handle.close();
        }
        await fs.rename(temp, this.file);
      } catch (error) {
        await fs.rm(temp, { force: true });
        throw new AirlockError('IO_ERROR', `cannot write ${this.file}: ${(error as Error).message}`, { path: this.file, cause: error });
      }
      return next;
    };
    const result = this.#queue.then(run, run);
    this.#queue = result.catch(() => undefined);
    return result;
  }
}
