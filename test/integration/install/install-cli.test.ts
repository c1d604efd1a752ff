// The install, rollback and status commands: confirmation rules, text and
// --json output, exit codes. Runs in-process against a real registry and the
// real host preflight (this host may warn; --yes acknowledges it).
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../../electron/cli/main.ts';
import type { CliIo, CommandContext, CommandSpec } from '../../../electron/cli/cli-types.ts';
import { createInstallCommand, type Prompter } from '../../../electron/cli/commands/install.ts';
import { createRollbackCommand } from '../../../electron/cli/commands/rollback.ts';
import { AirlockError } from '../../../shared/airlock-error.ts';
import { APP, makeInstallEnv, sha256OfFile, v1, v2, v3, type InstallEnv } from '../../helpers/install-fixtures.ts';

let env: InstallEnv;

beforeAll(async () => {
  env = await makeInstallEnv('airlock-install-cli-');
  await env.importVersion(v1());
  await env.importVersion(v2());
  await env.importVersion(v3());
  env.registry.close();
}, 60_000);
afterAll(() => {
  fs.rmSync(env.dir, { recursive: true, force: true });
});

function captureIo(): CliIo & { out: () => string; err: () => string } {
  let out = '';
  let err = '';
  return {
    stdout: { write: (c: string) => (out += c) },
    stderr: { write: (c: string) => (err += c) },
    stderrIsTTY: false,
    env: {},
    cwd: env.dir,
    out: () => out,
    err: () => err,
  };
}

async function airlock(...args: string[]): Promise<{ code: number; out: string; err: string; json: () => Record<string, unknown> }> {
  const io = captureIo();
  const code = await main([...args, '--data-dir', env.dataDir], io);
  return { code, out: io.out(), err: io.err(), json: () => JSON.parse(io.out()) as Record<string, unknown> };
}

/** Runs a command spec directly, with a scripted person at the terminal. */
async function withPrompter(spec: (p: { prompter: () => Prompter }) => CommandSpec, answers: string[], argv: string[]): Promise<{ text: string; printed: string; asked: string[]; error?: AirlockError }> {
  const asked: string[] = [];
  const prompter: Prompter = { interactive: true, ask: async (q) => (asked.push(q), answers.shift() ?? '') };
  const command = spec({ prompter: () => prompter });
  const io = captureIo();
  const parsed = parseArgs({ args: argv, options: command.options, allowPositionals: true, strict: true });
  const ctx: CommandContext = {
    options: parsed.values as CommandContext['options'], positionals: parsed.positionals, io, json: false, dataDir: env.dataDir,
    progress: () => {}, signal: new AbortController().signal, resolvePath: (p) => path.resolve(env.dir, p),
  };
  try {
    const out = await command.run(ctx);
    return { text: out.text, printed: io.out(), asked };
  } catch (error) {
    return { text: '', printed: io.out(), asked, error: error as AirlockError };
  }
}

describe('airlock install / status / rollback', () => {
  const root = (): string => path.join(env.dir, 'cli-root');

  it('refuses to change anything without a confirmation it can get', async () => {
    const json = await airlock('install', `${APP}@1.0.0`, '--root', root(), '--json');
    expect(json.code).toBe(2);
    expect(json.json()).toMatchObject({ ok: false, error: { code: 'USAGE', field: '--yes' } });
    const noTty = await withPrompter(() => createInstallCommand({ prompter: () => ({ interactive: false, ask: async () => 'y' }) }), [], [`${APP}@1.0.0`, '--root', root()]);
    expect(noTty.error?.code).toBe('USAGE');
    expect(noTty.error?.message).toContain('--yes');
    const bad = await airlock('install', 'notes', '--root', root(), '--yes');
    expect(bad.code).toBe(2);
    expect(fs.existsSync(root())).toBe(false);
  });

  it('--plan-only prints the plan and changes nothing', async () => {
    const r = await airlock('install', `${APP}@1.0.0`, '--root', root(), '--plan-only', '--json');
    expect(r.code).toBe(0);
    const plan = (r.json() as { plan: { kind: string; migrations: unknown[]; preflight: { verdict: string } } }).plan;
    expect(plan.kind).toBe('fresh');
    expect(plan.migrations).toHaveLength(1);
    expect(['pass', 'warn']).toContain(plan.preflight.verdict);
    expect(fs.existsSync(root())).toBe(false);
  });

  it('an interactive "no" cancels; "y" installs, after printing the plan', async () => {
    const no = await withPrompter(createInstallCommand, ['n'], [`${APP}@1.0.0`, '--root', root()]);
    expect(no.error?.code).toBe('CANCELLED');
    expect(no.printed).toContain(`Plan: ${APP} 1.0.0 into`);
    expect(fs.existsSync(root())).toBe(false);
    const yes = await withPrompter(createInstallCommand, ['y'], [`${APP}@1.0.0`, '--root', root()]);
    expect(yes.error).toBeUndefined();
    expect(yes.asked[0]).toMatch(/\[y\/N\]/);
    expect(yes.text).toContain(`OK  ${APP} 1.0.0 is active`);
    expect(fs.readlinkSync(path.join(root(), 'current'))).toBe('releases/1.0.0');
  });

  it('--yes --json upgrades and status reports it', async () => {
    const r = await airlock('install', `${APP}@1.1.0`, '--root', root(), '--yes', '--json');
    expect(r.code, r.out + r.err).toBe(0);
    const install = (r.json() as { ok: boolean; install: { kind: string; active: string; migrations: Array<{ id: string; outcome: string }> } });
    expect(install.ok).toBe(true);
    expect(install.install).toMatchObject({ kind: 'upgrade', active: '1.1.0' });
    expect(install.install.migrations.map((m) => m.outcome)).toEqual(['skipped', 'applied']);

    const text = await airlock('status', '--root', root());
    expect(text.code).toBe(0);
    expect(text.out).toContain('active:      1.1.0');
    expect(text.out).toMatch(/1\.0\.0 .*\[rollback target\].*backup from operation/);
    expect(text.out).toContain('install upgrade 1.0.0 → 1.1.0: SUCCEEDED');
    const json = (await airlock('status', '--root', root(), '--json')).json() as { status: { active: string; releases: unknown[] } };
    expect(json.status.active).toBe('1.1.0');
    expect(json.status.releases).toHaveLength(2);
  });

  it('a destructive migration needs the typed word interactively, or --allow-destructive with --yes', async () => {
    const db = path.join(root(), 'data', 'var', 'notes.db');
    const before = sha256OfFile(db);
    const refused = await airlock('install', `${APP}@2.0.0`, '--root', root(), '--yes', '--json');
    expect(refused.code).toBe(1);
    expect(refused.json()).toMatchObject({ ok: false, error: { code: 'MIGRATION_DESTRUCTIVE' } });
    const typedWrong = await withPrompter(createInstallCommand, ['y'], [`${APP}@2.0.0`, '--root', root()]);
    expect(typedWrong.asked[0]).toContain('Type "destructive"');
    expect(typedWrong.error?.code).toBe('CANCELLED');
    expect(sha256OfFile(db)).toBe(before);
    const ok = await airlock('install', `${APP}@2.0.0`, '--root', root(), '--yes', '--allow-destructive');
    expect(ok.code, ok.err).toBe(0);
    expect(ok.out).toContain('DESTRUCTIVE');
    expect(ok.out).toContain(`OK  ${APP} 1.1.0 → 2.0.0 is active`);
  });

  it('rollback asks, then returns to the previous release; failures exit 1 with the code', async () => {
    const plan = await airlock('rollback', '--root', root(), '--plan-only', '--json');
    expect((plan.json() as { plan: { from: string; to: string } }).plan).toMatchObject({ from: '2.0.0', to: '1.1.0' });
    const asked = await withPrompter(createRollbackCommand, ['yes'], ['--root', root()]);
    expect(asked.error).toBeUndefined();
    expect(asked.printed).toContain('Plan: roll notes back from 2.0.0 to 1.1.0');
    expect(asked.text).toContain('2.0.0 → 1.1.0 is active again');
    const none = await airlock('rollback', '--root', root(), '--to', '3.0.0', '--yes', '--json');
    expect(none.code).toBe(1);
    expect(none.json()).toMatchObject({ ok: false, error: { code: 'ROLLBACK_UNAVAILABLE' } });
  });

  it('status of a root that does not exist says so', async () => {
    const r = await airlock('status', '--root', path.join(env.dir, 'nowhere'));
    expect(r.code).toBe(0);
    expect(r.out).toContain('does not exist');
  });
});
