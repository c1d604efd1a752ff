// `airlock serve` as an admin starts it: the real command in its own process,
// its printed link opened in Chromium, stopped with Ctrl+C (SIGINT).
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, REPO, seriousAxeViolations, type E2eBrowser } from './support/browser.ts';

let work: string;
let child: ChildProcessWithoutNullStreams | undefined;
let browser: E2eBrowser | undefined;

beforeAll(async () => {
  work = await fs.mkdtemp(path.join(os.tmpdir(), 'airlock-serve-e2e-'));
  await fs.mkdir(path.join(work, 'usb'));
  await fs.copyFile(path.join(REPO, 'samples', 'hello-1.0.0.kit.tar.gz'), path.join(work, 'usb', 'hello-1.0.0.kit.tar.gz'));
});

afterAll(async () => {
  await browser?.close();
  if (child && child.exitCode === null) child.kill('SIGKILL');
  await fs.rm(work, { recursive: true, force: true });
});

describe('airlock serve (the command)', () => {
  it('prints a one-time link that opens the app, lists the --kits folder, and stops on SIGINT', async () => {
    child = spawn(process.execPath, [path.join(REPO, 'bin', 'airlock.js'), 'serve', '--data-dir', path.join(work, 'data'), '--kits', path.join(work, 'usb'), '--json'], { cwd: work });
    let stdout = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    while (!stdout.includes('\n')) {
      if (child.exitCode !== null) throw new Error(`airlock serve exited with ${child.exitCode}`);
      await new Promise((r) => setTimeout(r, 20));
    }
    const started = JSON.parse(stdout.split('\n')[0]!) as { url: string; kitFolders: string[] };
    expect(started.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\?token=[A-Za-z0-9_-]{43}$/);
    expect(started.kitFolders).toEqual([path.join(work, 'data', 'incoming'), path.join(work, 'usb')]);

    browser = await launchBrowser();
    await browser.page.goto(started.url);
    await browser.page.getByRole('button', { name: /hello-1\.0\.0\.kit\.tar\.gz/ }).waitFor();
    expect(await browser.page.getByText('Console mode · this computer only', { exact: true }).isVisible()).toBe(true);
    expect(await seriousAxeViolations(browser.page)).toEqual([]);
    expect(browser.problems).toEqual([]);

    const exited = new Promise<number | null>((resolve) => child!.once('exit', (code) => resolve(code)));
    child.kill('SIGINT');
    expect(await exited).toBe(0);
    expect(stdout).toContain('"stopped":true');
  });
});
