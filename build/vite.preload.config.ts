// The preload runs in a sandboxed renderer, where require() knows only
// 'electron' and a few builtins: so it is bundled, with the shared contract it
// is derived from, into one CommonJS file, dist/electron/preload.cjs.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export default defineConfig({
  root,
  publicDir: false,
  build: {
    outDir: path.join(root, 'dist', 'electron'),
    emptyOutDir: false,
    target: 'chrome120',
    minify: false,
    sourcemap: false,
    reportCompressedSize: false,
    lib: {
      entry: path.join(root, 'electron', 'preload.ts'),
      formats: ['cjs'],
      fileName: () => 'preload.cjs',
    },
    rollupOptions: {
      external: ['electron'],
    },
  },
});
