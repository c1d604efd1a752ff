// The guided flow in real Chromium against console mode, as an admin would
// use it: trust a publisher, then kit → verify → preflight (acknowledge the
// warning) → import → registry, by keyboard only; a tampered kit, an
// untrusted signer and a cancelled verify. Every screen is checked with
// axe-core and saved as a screenshot in artifacts/e2e/.
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { ERROR_CATALOG } from '../../shared/error-catalog.ts';
import { createNodeHostProbeDeps } from '../../electron/core/preflight/node-host-deps.ts';
import { WorkerKitJobRunner } from '../../electron/services/kit-job-runner.ts';
import { startConsoleMode, type RunningConsoleMode } from '../../electron/server/console-mode.ts';
import { launchBrowser, REPO, screenshot, seriousAxeViolations, tabTo, type E2eBrowser } from './support/browser.ts';
import { buildE2eKits, type E2eKits } from './support/e2e-kits.ts';

const HOST_FIXTURE = path.join(REPO, 'test', 'fixtures', 'hosts', 'linux', 'rocky-9.4');
/** A default route: the network-isolation check warns, so the flow must ask for an acknowledgement. */
const ROUTE_WITH_DEFAULT = 'Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT\nens192\t00000000\t0110A8C0\t0003\t0\t0\t100\t00000000\t0\t0\t0\n';

let work: string;
let kits: E2eKits;
let consoleMode: RunningConsoleMode;
let browser: E2eBrowser;
let page: Page;

async function expectAccessible(p: Page): Promise<void> {
  expect(await seriousAxeViolations(p)).toEqual([]);
}

function nav(name: string) {
  return page.getByRole('navigation', { name: 'Main' }).getByRole('button', { name, exact: true });
}

async function chooseKitByMouse(name: string): Promise<void> {
  await nav('Add a kit').click();
  const again = page.getByRole('button', { name: /^(Choose|Add) another kit$/ });
  if (await again.isVisible()) await again.click();
  await page.getByRole('heading', { level: 1, name: 'Choose a kit' }).waitFor();
  const option = page.getByRole('button', { name: new RegExp(name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')) });
  if (!(await option.isVisible())) await page.getByRole('button', { name: 'Look again' }).click();
  await option.click();
}

beforeAll(async () => {
  work = await fs.mkdtemp(path.join(os.tmpdir(), 'airlock-e2e-'));
  kits = await buildE2eKits(work);
  const host = path.join(work, 'host');
  await fs.cp(HOST_FIXTURE, host, { recursive: true });
  await fs.writeFile(path.join(host, 'proc', 'net', 'route'), ROUTE_WITH_DEFAULT);
  consoleMode = await startConsoleMode({
    dataDir: path.join(work, 'data'),
    kitFolders: [kits.kitsDir],
    port: 0,
    rendererDir: path.join(REPO, 'dist', 'renderer'),
    hostProbeDeps: createNodeHostProbeDeps({ systemRoot: host }),
    jobs: new WorkerKitJobRunner({ workerUrl: new URL('./support/held-kit-worker.ts', import.meta.url) }),
    // No removable drives on a test machine; unit tests cover the drive scan.
    driveScan: { platform: 'linux', readText: async () => '', listDirs: async () => [], runner: { run: async () => ({ exitCode: 1, stdout: '', stderr: '' }) } },
  });
  browser = await launchBrowser();
  page = browser.page;
});

afterAll(async () => {
  await browser?.close();
  await consoleMode?.close();
  if (work) await fs.rm(work, { recursive: true, force: true });
});

describe('console mode in Chromium', () => {
  it('signs in once with the printed link and shows the kit chooser', async () => {
    await page.goto(consoleMode.server.url);
    expect(new URL(page.url()).search).toBe('');
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('Choose a kit');
    await page.getByText('kits found').waitFor();
    await expect.poll(() => page.getByRole('heading', { name: 'No trusted publishers yet' }).isVisible()).toBe(true);
    // The link is used up: a second browser (no session cookie) is refused.
    const again = await fetch(consoleMode.server.url);
    expect(again.status).toBe(403);
    await screenshot(page, '01-choose-kit');
    await expectAccessible(page);
  });

  it('adds the publisher key from a PEM file in Settings and shows its fingerprint', async () => {
    await nav('Settings').click();
    await page.getByRole('heading', { name: 'Add a publisher key' }).waitFor();
    const form = page.locator('form', { has: page.getByRole('heading', { name: 'Add a publisher key' }) });
    await form.getByLabel('Publisher name').fill('Example Corp');
    await form.getByLabel('Public key file').setInputFiles(kits.trustedPublicKey);
    await expect.poll(() => form.getByLabel('…or paste the key').inputValue()).toContain('BEGIN PUBLIC KEY');
    await form.getByRole('button', { name: 'Add key' }).click();
    const success = form.getByText(/Key added for/);
    await success.waitFor();
    const grouped = kits.trustedFingerprint.match(/.{1,4}/g)!.join(' ');
    expect(await success.textContent()).toContain(grouped);
    await expect.poll(() => page.getByRole('heading', { name: 'Example Corp', level: 3 }).isVisible()).toBe(true);
    await screenshot(page, '02-settings-trust');
    await expectAccessible(page);
  });

  it('walks kit → verify → preflight → import → registry by keyboard only', async () => {
    await tabTo(page, /^Add a kit$/);
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { level: 1, name: 'Choose a kit' }).waitFor();
    await page.getByText('kits found').waitFor();

    await tabTo(page, /hello-app-1\.0\.0\.kit\.tar\.gz/);
    await page.keyboard.press('Enter');
    const result = page.getByTestId('verification-result');
    await result.waitFor();
    const text = await result.innerText();
    expect(text).toContain('Genuine and complete');
    for (const fact of ['Example Corp', 'hello-app', '1.0.0', 'stable', 'registry.example/hello/app:1.0.0']) expect(text).toContain(fact);
    expect(text).toContain(kits.trustedFingerprint.match(/.{1,4}/g)!.join(' '));
    // Focus moved to the result, so the next Tab reaches its actions.
    expect(await page.evaluate('document.activeElement && document.activeElement.textContent')).toContain('Genuine and complete');
    await screenshot(page, '03-verify-result');
    await expectAccessible(page);

    await tabTo(page, /^Continue to preflight$/);
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { level: 1, name: 'Check this host' }).waitFor();
    const table = page.getByRole('table', { name: 'All host checks' });
    expect(await page.getByRole('region', { name: 'Needs your attention' }).innerText()).toContain('Network isolation');
    await table.waitFor();
    expect(await table.getByRole('row', { name: /Network isolation/ }).innerText()).toContain('Warning');
    expect(await page.getByRole('button', { name: 'Continue to import' }).isDisabled()).toBe(true);
    await screenshot(page, '04-preflight-warning');
    await expectAccessible(page);

    await tabTo(page, /I have read the warnings/);
    await page.keyboard.press('Space');
    await tabTo(page, /^Continue to import$/);
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { level: 1, name: 'Import hello-app 1.0.0' }).waitFor();
    await screenshot(page, '05-import-confirm');
    await expectAccessible(page);

    await tabTo(page, /^Import into the registry$/);
    await page.keyboard.press('Enter');
    const imported = page.getByTestId('import-result');
    await imported.waitFor();
    expect(await imported.innerText()).toMatch(/Imported[\s\S]*hello-app 1\.0\.0/);
    await screenshot(page, '06-imported');
    await expectAccessible(page);

    await tabTo(page, /^Show in the registry$/);
    await page.keyboard.press('Enter');
    const detail = page.getByTestId('release-detail');
    await detail.waitFor();
    expect(await page.getByRole('table', { name: 'Imported releases' }).innerText()).toContain('hello-app');
    await tabTo(page, /^Search packages$/);
    await page.keyboard.type('openssl');
    const packages = page.getByRole('table', { name: 'SBOM packages' });
    await expect.poll(() => packages.getByRole('row').count()).toBe(2);
    expect(await packages.innerText()).toContain('3.0.13');
    await screenshot(page, '07-registry-packages');
    await expectAccessible(page);
  });

  it('compares two releases in the registry', async () => {
    await chooseKitByMouse('hello-app-1.1.0.kit.tar.zst');
    await page.getByTestId('verification-result').waitFor();
    await page.getByRole('button', { name: 'Continue to preflight' }).click();
    await page.getByRole('checkbox', { name: /I have read the warnings/ }).check();
    await page.getByRole('button', { name: 'Continue to import' }).click();
    await page.getByRole('button', { name: 'Import into the registry' }).click();
    await page.getByTestId('import-result').waitFor();
    await page.getByRole('button', { name: 'Show in the registry' }).click();
    await page.getByTestId('release-detail').getByRole('heading', { name: 'hello-app 1.1.0' }).waitFor();
    await page.getByRole('tab', { name: 'Compare' }).click();
    await page.getByLabel('Compare with').selectOption({ label: 'hello-app 1.0.0' });
    const diff = page.getByTestId('release-diff');
    await diff.waitFor();
    const text = await diff.innerText();
    expect(text).toContain('payload/etc/hello.conf');
    expect(text).toMatch(/openssl 3\.0\.13 → 3\.0\.15/);
    await screenshot(page, '08-registry-compare');
    await expectAccessible(page);
  });

  it('stops a tampered kit at Verify with KIT_DIGEST_MISMATCH and the remedy', async () => {
    await chooseKitByMouse('billing-2.3.0');
    const card = page.locator('[data-error-code="KIT_DIGEST_MISMATCH"]');
    await card.waitFor();
    const text = await card.innerText();
    expect(text).toContain('KIT_DIGEST_MISMATCH');
    expect(text).toContain(ERROR_CATALOG.KIT_DIGEST_MISMATCH.title);
    expect(text).toContain(kits.tamperedFile);
    expect(text).toContain(ERROR_CATALOG.KIT_DIGEST_MISMATCH.remedy);
    expect(await page.getByRole('button', { name: 'Continue to preflight' }).count()).toBe(0);
    await screenshot(page, '09-verify-tampered');
    await expectAccessible(page);
    await nav('Registry').click();
    const releases = page.getByRole('table', { name: 'Imported releases' });
    await releases.waitFor();
    expect(await releases.innerText()).not.toContain('billing');
  });

  it('refuses a kit from an untrusted signer with SIG_UNTRUSTED and says what to do', async () => {
    await chooseKitByMouse('tools-0.9.0.kit.tar');
    const card = page.locator('[data-error-code="SIG_UNTRUSTED"]');
    await card.waitFor();
    const text = await card.innerText();
    expect(text).toContain('SIG_UNTRUSTED');
    expect(text).toContain(ERROR_CATALOG.SIG_UNTRUSTED.title);
    expect(text).toContain(ERROR_CATALOG.SIG_UNTRUSTED.remedy);
    await screenshot(page, '10-verify-untrusted');
    await expectAccessible(page);
  });

  it('cancels the verify of a larger kit and says nothing was changed', async () => {
    await chooseKitByMouse('maps-4.0.0.kit.tar');
    const percent = page.getByTestId('progress-percent');
    await expect.poll(async () => Number.parseInt((await percent.textContent()) ?? '', 10) || 0, { timeout: 30_000 }).toBeGreaterThan(10);
    expect(await page.getByRole('progressbar').getAttribute('value')).not.toBeNull();
    await screenshot(page, '11-verify-progress');
    await expectAccessible(page);
    await page.getByRole('button', { name: 'Cancel' }).click();
    const card = page.locator('[data-error-code="CANCELLED"]');
    await card.waitFor();
    expect(await card.innerText()).toContain(ERROR_CATALOG.CANCELLED.remedy);
    await screenshot(page, '12-verify-cancelled');
  });

  it('kept to the CSP and raised no page errors on any screen', () => {
    expect(browser.problems).toEqual([]);
  });
});
