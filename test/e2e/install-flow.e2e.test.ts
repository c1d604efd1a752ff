// Installing from the window, in real Chromium against console mode started
// with an install root (as `airlock serve --root DIR` does): the whole happy
// path from kit to the evidence report.pdf downloaded from the server, an
// upgrade's plan, a failing migration rolled back automatically, a
// destructive migration confirmed by keyboard only (and an install cancelled
// before its switch), a manual rollback from Releases after its confirmation
// dialog, and the audit chain. Every new
// screen is checked with axe-core and saved to artifacts/e2e/.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ERROR_CATALOG } from '../../shared/error-catalog.ts';
import { createNodeHostProbeDeps } from '../../electron/core/preflight/node-host-deps.ts';
import { startConsoleMode, type RunningConsoleMode } from '../../electron/server/console-mode.ts';
import { WorkerKitJobRunner } from '../../electron/services/kit-job-runner.ts';
import { launchBrowser, REPO, screenshot, seriousAxeViolations, tabTo, type E2eBrowser } from './support/browser.ts';
import { HOLD_FILE } from './support/held-install-worker.ts';
import { buildInstallKits, type InstallKits } from './support/install-kits.ts';

const HOST_FIXTURE = path.join(REPO, 'test', 'fixtures', 'hosts', 'linux', 'rocky-9.4');
/** A default route: preflight warns, so the acknowledgement has to be carried from Preflight to the plan. */
const ROUTE_WITH_DEFAULT = 'Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT\nens192\t00000000\t0110A8C0\t0003\t0\t0\t100\t00000000\t0\t0\t0\n';

let work: string;
let root: string;
let kits: InstallKits;
let consoleMode: RunningConsoleMode;
let browser: E2eBrowser;
let page: Page;

async function expectAccessible(): Promise<void> {
  expect(await seriousAxeViolations(page)).toEqual([]);
}

function nav(name: string) {
  return page.getByRole('navigation', { name: 'Main' }).getByRole('button', { name, exact: true });
}

/** Kit → verify → preflight (acknowledging the warning) → import → plan, by mouse. */
async function importAndPlan(version: keyof InstallKits['kits']): Promise<void> {
  await nav('Add a kit').click();
  const again = page.getByRole('button', { name: /^(Choose|Add) another kit$/ }).first();
  if (await again.isVisible()) await again.click();
  await page.getByRole('heading', { level: 1, name: 'Choose a kit' }).waitFor();
  const option = page.getByRole('button', { name: new RegExp(kits.kits[version].replaceAll('.', '\\.')) });
  if (!(await option.isVisible())) await page.getByRole('button', { name: 'Look again' }).click();
  await option.click();
  await page.getByTestId('verification-result').waitFor();
  await page.getByRole('button', { name: 'Continue to preflight' }).click();
  await page.getByRole('checkbox', { name: /I have read the warnings/ }).check();
  await page.getByRole('button', { name: 'Continue to import' }).click();
  await page.getByRole('button', { name: 'Import into the registry' }).click();
  await page.getByTestId('import-result').waitFor();
  await page.getByRole('button', { name: 'Plan the install' }).click();
  await page.getByTestId('plan-summary').waitFor();
}

beforeAll(async () => {
  work = await fs.mkdtemp(path.join(os.tmpdir(), 'airlock-e2e-install-'));
  kits = await buildInstallKits(work);
  const host = path.join(work, 'host');
  await fs.cp(HOST_FIXTURE, host, { recursive: true });
  await fs.writeFile(path.join(host, 'proc', 'net', 'route'), ROUTE_WITH_DEFAULT);
  root = path.join(work, 'srv', 'notes');
  consoleMode = await startConsoleMode({
    dataDir: path.join(work, 'data'),
    kitFolders: [kits.kitsDir],
    installRoot: root,
    port: 0,
    rendererDir: path.join(REPO, 'dist', 'renderer'),
    hostProbeDeps: createNodeHostProbeDeps({ systemRoot: host }),
    jobs: new WorkerKitJobRunner({ workerUrl: new URL('./support/held-install-worker.ts', import.meta.url) }),
    driveScan: { platform: 'linux', readText: async () => '', listDirs: async () => [], runner: { run: async () => ({ exitCode: 1, stdout: '', stderr: '' }) } },
  });
  browser = await launchBrowser();
  page = browser.page;
  await page.goto(consoleMode.server.url);
  await page.getByRole('heading', { level: 1, name: 'Choose a kit' }).waitFor();
});

afterAll(async () => {
  await browser?.close();
  await consoleMode?.close();
  if (work) await fs.rm(work, { recursive: true, force: true });
});

describe('installing from the window', () => {
  it('shows the install root (read-only, from --root) and the workstation key in Settings, and trusts the publisher', async () => {
    await nav('Settings').click();
    const rootCard = page.getByTestId('settings-install-root');
    await rootCard.getByText(root).waitFor();
    expect(await rootCard.innerText()).toMatch(/--root DIR[\s\S]*read-only/);
    expect(await rootCard.getByRole('button').count()).toBe(0);
    const keyCard = page.getByTestId('settings-workstation-key');
    await keyCard.locator('code.fingerprint').waitFor();
    expect(await keyCard.locator('code.fingerprint').innerText()).toMatch(/^([0-9a-f]{4} ){15}[0-9a-f]{4}$/);
    const form = page.locator('form', { has: page.getByRole('heading', { name: 'Add a publisher key' }) });
    await form.getByLabel('Publisher name').fill('Notes Inc');
    await form.getByLabel('Public key file').setInputFiles(kits.publicKey);
    await expect.poll(() => form.getByLabel('…or paste the key').inputValue()).toContain('BEGIN PUBLIC KEY');
    await form.getByRole('button', { name: 'Add key' }).click();
    await form.getByText(/Key added for/).waitFor();
    await rootCard.scrollIntoViewIfNeeded();
    await screenshot(page, 'install-01-settings-root-and-key');
    await expectAccessible();
  });

  it('walks kit → plan → install → done with the keyboard confirming, and the report.pdf downloads from console mode', async () => {
    await importAndPlan('1.0.0');
    await page.getByRole('heading', { level: 1, name: 'Plan: install notes 1.0.0' }).waitFor();
    const summary = await page.getByTestId('plan-summary').innerText();
    expect(summary).toContain('Fresh install');
    expect(summary).toContain(root);
    expect(await page.getByTestId('plan-files').innerText()).toMatch(/3\s+added, 0\s+changed, 0\s+removed/);
    expect(await page.getByTestId('plan-migrations').getByRole('row', { name: /0001_init/ }).innerText()).toContain('Apply');
    // The warning acknowledged at Preflight is carried over, and said so.
    const preflight = page.getByTestId('plan-preflight');
    expect(await preflight.getByRole('checkbox').isChecked()).toBe(true);
    expect(await preflight.innerText()).toContain('You acknowledged this warning at the Preflight step');
    await expect.poll(() => page.getByTestId('plan-packages').innerText()).toContain('2 packages from 1 SBOM');
    await screenshot(page, 'install-02-plan-fresh');
    await expectAccessible();

    // Keyboard only from here: focus is on the plan's heading; Tab to the Install button and press Enter.
    await tabTo(page, /^Install notes 1\.0\.0$/, 80);
    await page.keyboard.press('Enter');
    const done = page.getByTestId('install-done');
    await done.waitFor();
    const text = await done.innerText();
    expect(text).toContain('Installed: notes 1.0.0 is active');
    expect(text).toMatch(/Migrations\s+1 applied \(0001_init\)/);
    expect(text).toMatch(/Health checks\s+2 of 2 passed/);
    const fingerprint = await done.locator('code.fingerprint').innerText();
    expect(fingerprint).toMatch(/^([0-9a-f]{4} ){15}[0-9a-f]{4}$/);
    expect(await page.getByRole('navigation', { name: 'Steps' }).innerText()).toMatch(/Done\s*\(current step\)/);

    await page.getByRole('button', { name: 'Export evidence' }).click();
    const evidence = page.getByTestId('evidence-result');
    await evidence.waitFor({ timeout: 30_000 });
    const evidenceText = await evidence.innerText();
    expect(evidenceText).toContain(path.join(consoleMode.dataDir, 'evidence', 'operation-'));
    expect(evidenceText).toContain('PASS: ');
    expect(evidenceText).toContain(fingerprint);
    await screenshot(page, 'install-03-done-evidence');
    await expectAccessible();

    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Download report.pdf' }).click()]);
    const pdf = path.join(work, 'downloaded-report.pdf');
    await download.saveAs(pdf);
    const bytes = await fs.readFile(pdf);
    expect(bytes.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    const pdfText = execFileSync('pdftotext', ['-layout', pdf, '-'], { encoding: 'utf8' });
    expect(pdfText).toContain('notes@1.0.0');
    expect(pdfText).toContain('Verdict: PASS');
    expect(pdfText.replace(/\s+/g, '')).toContain(fingerprint.replace(/\s+/g, ''));
  });

  it('plans an upgrade: from → to, files, migrations, images and SBOM package changes', async () => {
    await importAndPlan('1.1.0');
    await page.getByRole('heading', { level: 1, name: 'Plan: upgrade notes 1.0.0 → 1.1.0' }).waitFor();
    const files = page.getByTestId('plan-files');
    expect(await files.innerText()).toMatch(/1\s+added, 2\s+changed, 1\s+removed/);
    await files.getByText('1 file added').click();
    await files.getByText('share/tags.txt').waitFor();
    const migrations = page.getByTestId('plan-migrations');
    expect(await migrations.getByRole('row', { name: /0001_init/ }).innerText()).toContain('already applied');
    expect(await migrations.getByRole('row', { name: /0002_tags/ }).innerText()).toContain('Apply');
    const packages = page.getByTestId('plan-packages');
    await expect.poll(() => packages.innerText()).toMatch(/1\s+added, 0\s+removed, 1\s+changed, 1\s+unchanged/);
    expect(await packages.innerText()).toContain('sqlite 3.45.0 → 3.46.1');
    expect(await packages.innerText()).toContain('libtags 0.2.0');
    expect(await page.getByTestId('plan-summary').innerText()).toContain('registry.example/notes/app:1.1.0');
    await screenshot(page, 'install-04-plan-upgrade');
    await expectAccessible();

    await page.getByRole('button', { name: 'Install notes 1.1.0' }).click();
    await page.getByTestId('install-done').getByText('Installed: notes 1.1.0 is active').waitFor();
  });

  it('shows a failing migration rolled back automatically, with the previous release still active', async () => {
    await importAndPlan('1.2.0');
    await page.getByRole('button', { name: 'Install notes 1.2.0' }).click();
    const failed = page.getByTestId('install-failed');
    await failed.waitFor();
    const card = page.locator('[data-error-code="MIGRATION_FAILED"]');
    expect(await card.innerText()).toContain(ERROR_CATALOG.MIGRATION_FAILED.title);
    expect(await card.innerText()).toContain(ERROR_CATALOG.MIGRATION_FAILED.remedy);
    expect(await card.innerText()).toContain('archived_notes');
    expect(await failed.getByTestId('still-active').innerText()).toContain('notes 1.1.0 is still active');
    const steps = failed.getByRole('list', { name: 'What happened, step by step' });
    expect(await steps.locator('[data-step="migrate"]').innerText()).toMatch(/Failed[\s\S]*MIGRATION_FAILED/);
    expect(await steps.locator('[data-step="rollback"]').innerText()).toMatch(/Done[\s\S]*Automatic rollback/);
    expect(await steps.locator('[data-step="switch"]').innerText()).toContain('Not run');
    await screenshot(page, 'install-05-migration-failed-rolled-back');
    await expectAccessible();

    await nav('Releases').click();
    await expect.poll(() => page.getByTestId('installed').innerText()).toContain('notes 1.1.0 is active');
  });

  it('asks for the explicit confirmation of a destructive migration by keyboard only; a cancel before the switch undoes the install', async () => {
    await importAndPlan('2.0.0');
    const row = page.getByTestId('plan-migrations').getByRole('row', { name: /0003_drop_tag/ });
    expect(await row.innerText()).toMatch(/Destructive[\s\S]*drop column/);
    const install = page.getByRole('button', { name: 'Install notes 2.0.0' });
    expect(await install.getAttribute('aria-disabled')).toBe('true');
    // Still focusable and pressable (so a keyboard user can reach it and hear why), but it does nothing yet.
    await install.click({ force: true });
    expect(await page.getByTestId('install-running').count()).toBe(0);
    await screenshot(page, 'install-06-plan-destructive');
    await expectAccessible();

    const confirmByKeyboard = async (): Promise<void> => {
      await page.getByTestId('plan-summary').getByRole('heading').focus();
      await tabTo(page, /I confirm the destructive migration 0003_drop_tag/, 80);
      await page.keyboard.press('Space');
      expect(await page.getByRole('checkbox', { name: /I confirm the destructive/ }).isChecked()).toBe(true);
      await tabTo(page, /^Install notes 2\.0\.0$/);
      expect(await install.getAttribute('aria-disabled')).toBe('false');
      await page.keyboard.press('Enter');
    };

    // The worker holds after the backup, so the running install can be seen and cancelled.
    const hold = path.join(consoleMode.dataDir, HOLD_FILE);
    await fs.writeFile(hold, '');
    await confirmByKeyboard();
    const running = page.getByTestId('install-running');
    await running.waitFor();
    await expect.poll(() => running.locator('[data-step="backup"]').getAttribute('data-outcome')).toBe('succeeded');
    expect(await running.locator('[data-step="switch"]').innerText()).toContain('Waiting');
    expect(await running.innerText()).toContain('possible until the switch to the new release begins');
    expect(await running.getByRole('log').innerText()).toMatch(/\d\d:\d\d:\d\d Back up the databases: done/);
    await screenshot(page, 'install-07-running');
    await expectAccessible();
    await running.getByRole('button', { name: 'Cancel the install' }).click();
    await running.getByRole('button', { name: 'Cancelling…' }).waitFor();
    await fs.rm(hold);
    const failed = page.getByTestId('install-failed');
    await failed.waitFor();
    expect(await page.locator('[data-error-code="CANCELLED"]').innerText()).toContain('CANCELLED');
    expect(await failed.getByTestId('still-active').innerText()).toContain('notes 1.1.0 is still active');
    const steps = failed.getByRole('list', { name: 'What happened, step by step' });
    expect(await steps.locator('[data-step="rollback"]').innerText()).toContain('Done');
    expect(await steps.locator('[data-step="migrate"]').innerText()).toContain('Not run');
    await screenshot(page, 'install-08-cancelled');
    await expectAccessible();

    // Back to the plan: the destructive confirmation is asked again, not carried over.
    await failed.getByRole('button', { name: 'Back to the plan' }).click();
    await page.getByTestId('plan-summary').waitFor();
    expect(await page.getByRole('checkbox', { name: /I confirm the destructive/ }).isChecked()).toBe(false);
    await confirmByKeyboard();
    await page.getByTestId('install-done').getByText('Installed: notes 2.0.0 is active').waitFor();
  });

  it('rolls back from Releases after a dialog that names what will be restored', async () => {
    await page.getByRole('button', { name: 'Show in Releases' }).click();
    const retained = page.getByTestId('retained-releases');
    await retained.waitFor();
    expect(await retained.getByRole('row', { name: /notes 2\.0\.0/ }).innerText()).toContain('Active');
    expect(await retained.getByRole('row', { name: /notes 1\.1\.0/ }).innerText()).toContain('previous release');
    const history = await page.getByTestId('operation-history').innerText();
    expect(history).toMatch(/1\.1\.0 → 1\.2\.0\s+✕\s*Failed[\s\S]*migrate step: MIGRATION_FAILED/);
    await screenshot(page, 'install-09-releases');
    await expectAccessible();

    await retained.getByRole('button', { name: 'Roll back to 1.1.0' }).click();
    const dialog = page.getByRole('dialog', { name: 'Roll notes back to 1.1.0?' });
    await dialog.getByText(/Restored:/).waitFor();
    const what = await dialog.innerText();
    expect(what).toMatch(/the backup of operation \d+/);
    expect(what).toMatch(/main \(sha256 [0-9a-f]{12}…\)/);
    expect(what).toContain('kept as the data of 2.0.0');
    // The safe choice has the focus.
    expect(await page.evaluate('document.activeElement && document.activeElement.textContent')).toBe('Keep 2.0.0');
    await screenshot(page, 'install-10-rollback-confirm', { fullPage: false });
    await expectAccessible();

    await dialog.getByRole('button', { name: 'Roll back to 1.1.0' }).click();
    const run = page.getByTestId('rollback-run');
    await run.getByText('Rolled back: notes 1.1.0 is active again').waitFor();
    expect(await run.getByRole('list', { name: 'Rollback steps' }).innerText()).toMatch(/Done[\s\S]*Restore the databases from the backup/);
    await expect.poll(() => retained.getByRole('row', { name: /notes 1\.1\.0/ }).innerText()).toContain('Active');
    await screenshot(page, 'install-11-rolled-back');
    await expectAccessible();
  });

  it('shows the audit chain OK and its events, page by page', async () => {
    await nav('Audit').click();
    await page.getByTestId('audit-chain').getByText('Chain OK').waitFor();
    const events = page.getByTestId('audit-events');
    await events.waitFor();
    const pages = [await events.innerText()];
    expect(pages[0]).toMatch(/rollback\.commit[\s\S]*rollback\.restore/);
    await screenshot(page, 'install-12-audit');
    await expectAccessible();
    // Older pages, to the first record: the trust-policy change and the evidence export are there.
    const older = page.getByRole('button', { name: 'Older →' });
    while (await older.isEnabled()) {
      const caption = await events.locator('caption').innerText();
      await older.click();
      await expect.poll(() => events.locator('caption').innerText()).not.toBe(caption);
      pages.push(await events.innerText());
    }
    expect(pages.length).toBeGreaterThan(1);
    expect(pages.join('\n')).toContain('evidence.export');
    expect(pages.at(-1)).toMatch(/\n1\t/);
    const change = await events.getByRole('row', { name: /trust-policy\.change/ }).innerText();
    for (const part of ['action: add-key', 'publisher: Notes Inc', `fingerprint: ${kits.fingerprint}`]) expect(change).toContain(part);
  });

  it('kept to the CSP and raised no page errors on any screen', () => {
    expect(browser.problems).toEqual([]);
  });
});
