// Layering (DESIGN §2 rule 1) is enforced here as errors, not left to goodwill.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';
import { builtinModules } from 'node:module';

const nodeBuiltins = [...builtinModules, ...builtinModules.map((m) => `node:${m}`)];

export default tseslint.config(
  { ignores: ['node_modules/**', '.toolchain/**', 'dist/**', 'artifacts/**', 'coverage/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['shared/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: [...nodeBuiltins, 'electron', 'react', 'better-sqlite3', 'tar'],
        patterns: [{ group: ['**/electron/**', '**/renderer/**', '../*'], message: 'shared/ imports nothing outside itself.' }],
      }],
    },
  },
  {
    files: ['electron/core/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: [{ name: 'electron', message: 'electron/core is the domain and never imports electron.' }],
        patterns: [{ group: ['**/renderer/**'], message: 'core never imports the renderer.' }],
      }],
    },
  },
  {
    files: ['renderer/**/*.ts', 'renderer/**/*.tsx'],
    languageOptions: { globals: { ...globals.browser } },
    rules: {
      'no-restricted-imports': ['error', {
        paths: [...nodeBuiltins, 'electron'],
        patterns: [{ group: ['**/electron/**'], message: 'the renderer talks only to window.airlock.' }],
      }],
    },
  },
);
