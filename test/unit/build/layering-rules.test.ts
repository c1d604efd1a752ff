// DESIGN §2 rule 1: the layering is checked by the tools. This proves the lint
// configuration really reports each forbidden import as an error.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const eslint = new ESLint({ cwd: repo });

async function errorsFor(file: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: path.join(repo, file) });
  return result!.messages.filter((m) => m.severity === 2).map((m) => m.ruleId ?? m.message);
}

describe('layering rules', () => {
  it.each([
    ['shared/probe.ts', "import fs from 'node:fs';\nexport const x = fs;\n"],
    ['shared/probe.ts', "import { x } from '../electron/core/data-dir.ts';\nexport const y = x;\n"],
    ['shared/probe.ts', "import { x } from '../renderer/app.tsx';\nexport const y = x;\n"],
    ['electron/core/probe.ts', "import { app } from 'electron';\nexport const x = app;\n"],
    ['electron/core/kit/probe.ts', "import { x } from '../../../renderer/app.tsx';\nexport const y = x;\n"],
    ['renderer/probe.ts', "import fs from 'fs';\nexport const x = fs;\n"],
    ['renderer/probe.ts', "import { ipcRenderer } from 'electron';\nexport const x = ipcRenderer;\n"],
    ['renderer/probe.ts', "import { x } from '../electron/core/data-dir.ts';\nexport const y = x;\n"],
  ])('%s: %s is an error', async (file, code) => {
    expect(await errorsFor(file, code)).toContain('no-restricted-imports');
  });

  it.each([
    ['shared/probe.ts', "import { z } from 'zod';\nexport const x = z;\n"],
    ['electron/core/probe.ts', "import fs from 'node:fs';\nexport const x = fs;\n"],
    ['renderer/probe.ts', "import { ERROR_CATALOG } from '../shared/error-catalog.ts';\nexport const x = ERROR_CATALOG;\n"],
  ])('%s: %s is allowed', async (file, code) => {
    expect(await errorsFor(file, code)).toEqual([]);
  });
});
