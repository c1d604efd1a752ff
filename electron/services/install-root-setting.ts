// Which folder the window installs into. Main decides it, never the page:
// console mode takes `airlock serve --root DIR` (shown read-only); otherwise it
// is the folder chosen in Settings with the desktop app's native folder dialog
// (kept in app-settings.json). A change is recorded in the audit chain.
import path from 'node:path';
import { AirlockError } from '../../shared/airlock-error.ts';
import type { InstallRootData } from '../../shared/ipc-install-schemas.ts';
import type { AppSettingsStore } from './app-settings-store.ts';

export interface InstallRootSettingOptions {
  settings: AppSettingsStore;
  /** Fixed by the command line; the window cannot change it. */
  fixed?: string;
  /** The window may change it (the desktop app, which has a folder dialog). */
  editable: boolean;
  /** Records a change (the audit chain). */
  onChange?(change: { from: string | null; to: string }): void;
}

export class InstallRootSetting {
  readonly #options: InstallRootSettingOptions;

  constructor(options: InstallRootSettingOptions) {
    this.#options = options;
  }

  async current(): Promise<InstallRootData> {
    if (this.#options.fixed !== undefined) return { path: path.resolve(this.#options.fixed), source: 'command-line', editable: false };
    const saved = (await this.#options.settings.read()).installRoot ?? null;
    return { path: saved, source: saved === null ? 'unset' : 'settings', editable: this.#options.editable };
  }

  /** The install root, or INSTALL_ROOT_UNSET naming where to set it. */
  async require(): Promise<string> {
    const root = await this.current();
    if (root.path === null) {
      throw new AirlockError('INSTALL_ROOT_UNSET', this.#options.editable
        ? 'no install root is chosen yet; choose one in Settings'
        : 'no install root is set; start "airlock serve" with --root DIR', { field: 'installRoot' });
    }
    return root.path;
  }

  async set(folder: string): Promise<InstallRootData> {
    const before = await this.current();
    if (!before.editable) throw new AirlockError('UNAVAILABLE', before.source === 'command-line' ? 'the install root was set on the command line (--root) and cannot be changed here' : 'the install root can only be chosen in the desktop app');
    const saved = await this.#options.settings.setInstallRoot(folder);
    const to = saved.installRoot!;
    if (to !== before.path) this.#options.onChange?.({ from: before.path, to });
    return this.current();
  }
}
