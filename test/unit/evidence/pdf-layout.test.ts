// The layout layer: tables that span pages repeat their header, rows taller
// than a page are split, long unbroken strings wrap, and nothing is lost.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { PdfLayout, fontsIn } from '../../../electron/core/evidence/pdf-layout.ts';

const FONTS = fontsIn(path.resolve(import.meta.dirname, '../../../resources/fonts'));
let tmp: string;
beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'airlock-pdf-'));
});
afterAll(() => {
  fs.rmSync(tmp, { recursive: true, force: true });
});

const info = { title: 'Layout test', subject: 's', keywords: 'k', creator: 'test', date: new Date('2026-01-01T00:00:00Z') };

async function render(draw: (pdf: PdfLayout) => void): Promise<{ file: string; pages: string[] }> {
  const pdf = new PdfLayout(FONTS, info);
  draw(pdf);
  pdf.footers('layout test');
  const bytes = await pdf.finish();
  const file = path.join(tmp, `t-${Math.random().toString(36).slice(2)}.pdf`);
  fs.writeFileSync(file, bytes);
  const text = execFileSync('pdftotext', ['-enc', 'UTF-8', file, '-'], { encoding: 'utf8' });
  return { file, pages: text.split('\f').filter((p) => p.trim() !== '') };
}

it('repeats the header on every page a long table spans and numbers the pages', async () => {
  const rows = Array.from({ length: 160 }, (_, i) => [`row-${String(i).padStart(3, '0')}`, `value ${i}`, 'ab'.repeat(32)]);
  const { pages } = await render((pdf) => pdf.table([{ header: 'Column A', width: 20 }, { header: 'Column B', width: 20 }, { header: 'Digest', width: 60, font: 'mono' }], rows));
  expect(pages.length).toBeGreaterThan(3);
  pages.forEach((p, i) => {
    expect(p, `page ${i + 1}`).toContain('Column A');
    expect(p).toContain(`Page ${i + 1} of ${pages.length}`);
  });
  const all = pages.join('\n');
  for (const r of rows) expect(all).toContain(r[0]!);
  // A row that fits a page is never split: each label is on exactly one page.
  for (const r of rows) expect(pages.filter((p) => p.includes(r[0]!)).length).toBe(1);
});

it('splits a row taller than a page across pages without losing a character', async () => {
  const words = Array.from({ length: 1500 }, (_, i) => `w${i}`);
  const long = words.join(' ');
  const { pages } = await render((pdf) => {
    pdf.paragraph('Before the table');
    pdf.table([{ header: 'Name', width: 25 }, { header: 'Text', width: 75 }], [['short', 'x'], ['huge', long], ['after', 'y']]);
  });
  expect(pages.length).toBeGreaterThan(1);
  const squeezed = pages.join(' ').replace(/\s+/g, ' ');
  for (const w of [words[0]!, words[700]!, words.at(-1)!]) expect(squeezed).toContain(` ${w} `);
  const seen = new Set(squeezed.split(' ').filter((t) => /^w\d+$/.test(t)));
  expect(seen.size).toBe(words.length);
  for (const p of pages) expect(p).toContain('Name');
});

it('wraps an unbroken string wider than its column and keeps every character', async () => {
  const ref = `registry.example/${'segment-'.repeat(12)}final:1.0.0-rc.1`;
  const digest = `sha256:${'0123456789abcdef'.repeat(4)}`;
  const { pages } = await render((pdf) => pdf.table([{ header: 'Ref', width: 25 }, { header: 'Digest', width: 75, font: 'mono' }], [[ref, digest]], { monoSize: 7.4 }));
  const text = pages.join('');
  expect(text.replace(/\s/g, '')).toContain(ref);
  // A digest fits its column whole at this size, so copying it from the PDF gives it intact.
  expect(text).toContain(digest);
});

it('draws the same bytes for the same content', async () => {
  const draw = (pdf: PdfLayout): void => {
    pdf.heading('Title');
    pdf.paragraph('Some text é ü — with non-ASCII.');
    pdf.table([{ header: 'A', width: 1 }, { header: 'B', width: 1 }], [['1', '2']]);
  };
  const a = await render(draw);
  const b = await render(draw);
  expect(fs.readFileSync(a.file).equals(fs.readFileSync(b.file))).toBe(true);
});
