// Debian's Chromium driven by playwright-core (Playwright's own browser
// download does not work here), with a fresh profile per run, and the checks
// every screen gets: axe-core, CSP violations and page errors, screenshots.
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
export const ARTIFACTS = path.join(REPO, 'artifacts', 'e2e');
export const CHROMIUM = process.env.AIRLOCK_E2E_CHROMIUM ?? '/usr/bin/chromium';

export const CHROMIUM_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
  '--disable-sync',
];

export interface E2eBrowser {
  context: BrowserContext;
  page: Page;
  /** CSP violations, console errors and uncaught page errors seen so far. */
  problems: string[];
  close(): Promise<void>;
}

export async function launchBrowser(): Promise<E2eBrowser> {
  const profile = await fs.mkdtemp(path.join(os.tmpdir(), 'airlock-e2e-profile-'));
  // launchPersistentContext is how Playwright takes a --user-data-dir: a fresh one per run.
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_FLAGS,
    viewport: { width: 1280, height: 900 },
    deviceScaleFactor: 1,
    locale: 'en-GB',
    timezoneId: 'UTC',
  });
  const page = context.pages()[0] ?? (await context.newPage());
  const problems: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error' || /Content Security Policy/i.test(m.text())) problems.push(`console ${m.type()}: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  return {
    context,
    page,
    problems,
    async close() {
      await context.close();
      await fs.rm(profile, { recursive: true, force: true });
    },
  };
}

let axeSource: string | undefined;

/** Runs axe-core in the page; returns the serious and critical violations (id: targets). */
export async function seriousAxeViolations(page: Page): Promise<string[]> {
  axeSource ??= await fs.readFile(path.join(REPO, 'node_modules', 'axe-core', 'axe.min.js'), 'utf8');
  // Evaluated through the DevTools protocol, so the page's CSP (no inline script) is untouched.
  await page.evaluate(axeSource);
  // Written as page script text: this file is type-checked as Node code, without the DOM.
  const violations = (await page.evaluate(`(async () => {
    const result = await axe.run(document, { resultTypes: ['violations'] });
    return result.violations.map((v) => ({ id: v.id, impact: v.impact, targets: v.nodes.map((n) => JSON.stringify(n.target)) }));
  })()`)) as Array<{ id: string; impact: string | null; targets: string[] }>;
  return violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id} (${v.impact}): ${v.targets.join(', ')}`);
}

/** The whole page, or with fullPage false just the window (a modal dialog's backdrop covers only the window). */
export async function screenshot(page: Page, name: string, options: { fullPage?: boolean } = {}): Promise<void> {
  await fs.mkdir(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`), fullPage: options.fullPage ?? true });
}

/** The accessible-ish name of the focused element: its label, aria-label or text. */
async function focusedName(page: Page): Promise<string> {
  return page.evaluate(`(() => {
    const el = document.activeElement;
    if (!el || el === document.body) return '';
    const labelled = el.getAttribute('aria-label');
    if (labelled) return labelled;
    if (el instanceof HTMLInputElement && el.labels && el.labels[0]) return el.labels[0].innerText;
    return (el.innerText || el.value || '').trim();
  })()`);
}

/**
 * Presses Tab until the focused element's name matches, the way a keyboard
 * user moves through the page; fails when it is not reachable within `max` presses.
 */
export async function tabTo(page: Page, name: RegExp, max = 60): Promise<void> {
  const seen: string[] = [];
  for (let i = 0; i < max; i++) {
    await page.keyboard.press('Tab');
    const current = await focusedName(page);
    if (name.test(current)) return;
    seen.push(current.slice(0, 40));
  }
  throw new Error(`${name} is not reachable with Tab; focus went through: ${seen.join(' | ')}`);
}
