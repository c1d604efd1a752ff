// Builds the renderer once before the end-to-end tests, so they always test
// the current sources (it takes a few seconds).
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'vite';

export default async function setup(): Promise<void> {
  const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
  await build({ configFile: path.join(repo, 'vite.config.ts'), logLevel: 'warn' });
}
