// A small page-layout layer over PDFKit for the evidence report. It wraps
// every line itself (words, and long unbroken strings such as digests character
// by character), so it always knows how tall a block is before drawing it: a
// table row that does not fit moves to the next page with the header repeated,
// and a row taller than a page is split line by line. Nothing is clipped.
// Only the TrueType fonts handed in are used, never a viewer or system font.
import path from 'node:path';
import PDFDocument from 'pdfkit';

export type FontRole = 'sans' | 'bold' | 'mono';

export interface PdfFonts {
  sans: string;
  bold: string;
  mono: string;
}

export function fontsIn(dir: string): PdfFonts {
  return {
    sans: path.join(dir, 'DejaVuSans.ttf'),
    bold: path.join(dir, 'DejaVuSans-Bold.ttf'),
    mono: path.join(dir, 'DejaVuSansMono.ttf'),
  };
}

export interface TextStyle {
  font?: FontRole;
  size?: number;
  color?: string;
}

export interface TableColumn {
  header: string;
  /** Share of the table width (the shares are normalized). */
  width: number;
  font?: FontRole;
}

export interface TableCell {
  text: string;
  font?: FontRole;
  color?: string;
}

export interface TableOptions {
  size?: number;
  /** Font size for mono cells (digests): small enough that a 71-character "sha256:…" fits a typical column. */
  monoSize?: number;
}

const PAGE = { width: 595.28, height: 841.89 };
const MARGIN = { top: 56, bottom: 64, left: 50, right: 50 };
const CELL_PAD = 3;
const LINE_GAP = 1.25;

export const INK = '#1a1a1a';
export const MUTED = '#555555';
const RULE = '#b8b8b8';
const HEADER_FILL = '#e8ecf0';

export interface PdfDocumentInfo {
  title: string;
  subject: string;
  keywords: string;
  creator: string;
  /** A recorded time (never the clock at export), so two exports give the same bytes. */
  date: Date;
}

export class PdfLayout {
  readonly doc: PDFKit.PDFDocument;
  private readonly fonts: PdfFonts;
  readonly left = MARGIN.left;
  readonly width = PAGE.width - MARGIN.left - MARGIN.right;
  private readonly bottom = PAGE.height - MARGIN.bottom;
  y = MARGIN.top;

  constructor(fonts: PdfFonts, info: PdfDocumentInfo) {
    this.fonts = fonts;
    this.doc = new PDFDocument({
      size: 'A4',
      margins: MARGIN,
      bufferPages: true,
      autoFirstPage: true,
      compress: true,
      pdfVersion: '1.7',
      // The default would be Helvetica, a font the viewer supplies; start with an embedded one.
      font: fonts.sans,
      info: {
        Title: info.title,
        Subject: info.subject,
        Keywords: info.keywords,
        Author: 'Airlock',
        Creator: info.creator,
        Producer: 'Airlock evidence report (PDFKit)',
        CreationDate: info.date,
        ModDate: info.date,
      },
    });
    this.doc.registerFont('sans', fonts.sans);
    this.doc.registerFont('bold', fonts.bold);
    this.doc.registerFont('mono', fonts.mono);
  }

  private use(style: TextStyle): { size: number; lineHeight: number } {
    const size = style.size ?? 9.5;
    this.doc.font(style.font ?? 'sans').fontSize(size).fillColor(style.color ?? INK);
    return { size, lineHeight: size * LINE_GAP };
  }

  /** Splits text into lines no wider than width in the current font; never drops a character. */
  private wrap(text: string, width: number): string[] {
    const doc = this.doc;
    const lines: string[] = [];
    // A word wider than the column (a digest, an image reference, a path) is
    // cut after the last "/", ":" or "." that fits, else between characters.
    // A cut line never ends in "-": text extractors (pdftotext) take that for
    // a hyphenation and drop it, which would change a reference when copied.
    const breakLong = (word: string): string[] => {
      const parts: string[] = [];
      let part = '';
      const cutAt = (n: number): void => {
        let head = part.slice(0, n);
        let tail = part.slice(n);
        while (head.length > 1 && head.endsWith('-')) {
          tail = head.slice(-1) + tail;
          head = head.slice(0, -1);
        }
        parts.push(head);
        part = tail;
      };
      for (const ch of word) {
        if (part !== '' && doc.widthOfString(part + ch) > width) {
          const cut = Math.max(part.lastIndexOf('/'), part.lastIndexOf(':'), part.lastIndexOf('.'));
          cutAt(cut > part.length / 2 ? cut + 1 : part.length);
          part += ch;
        } else {
          part += ch;
        }
      }
      if (part !== '') parts.push(part);
      return parts;
    };
    for (const paragraph of text.split('\n')) {
      const words = paragraph.split(' ');
      let line = '';
      for (const word of words) {
        const candidate = line === '' ? word : `${line} ${word}`;
        if (doc.widthOfString(candidate) <= width) {
          line = candidate;
          continue;
        }
        if (line !== '') lines.push(line);
        if (doc.widthOfString(word) <= width) {
          line = word;
        } else {
          const parts = breakLong(word);
          line = parts.pop() ?? '';
          lines.push(...parts);
        }
      }
      lines.push(line);
    }
    return lines;
  }

  private drawLine(text: string, x: number, y: number): void {
    if (text !== '') this.doc.text(text, x, y, { lineBreak: false });
  }

  newPage(): void {
    this.doc.addPage();
    this.y = MARGIN.top;
  }

  /** Moves to a new page unless `height` fits below the current position. */
  ensure(height: number): void {
    if (this.y + height > this.bottom) this.newPage();
  }

  space(points: number): void {
    this.y = Math.min(this.y + points, this.bottom);
  }

  /** Wrapped text across the full width (or from `indent`), continuing on new pages as needed. */
  paragraph(text: string, style: TextStyle = {}, indent = 0): void {
    const { lineHeight } = this.use(style);
    for (const line of this.wrap(text, this.width - indent)) {
      this.ensure(lineHeight);
      this.use(style);
      this.drawLine(line, this.left + indent, this.y);
      this.y += lineHeight;
    }
  }

  heading(text: string, level: 1 | 2 = 1): void {
    const size = level === 1 ? 13 : 11;
    // Keep a heading with at least a few lines of what follows it.
    this.ensure(size * 1.4 + 40);
    this.space(level === 1 ? 10 : 6);
    this.paragraph(text, { font: 'bold', size });
    if (level === 1) {
      this.doc.moveTo(this.left, this.y + 1).lineTo(this.left + this.width, this.y + 1).lineWidth(0.6).strokeColor(RULE).stroke();
      this.y += 5;
    } else {
      this.y += 2;
    }
  }

  /** A shaded box holding wrapped lines (the verdict on page 1). */
  box(lines: Array<{ text: string; style: TextStyle }>, colors: { fill: string; stroke: string }): void {
    const pad = 8;
    const laid = lines.map((l) => {
      const { lineHeight } = this.use(l.style);
      return { ...l, lineHeight, wrapped: this.wrap(l.text, this.width - 2 * pad) };
    });
    const height = laid.reduce((h, l) => h + l.wrapped.length * l.lineHeight, 0) + 2 * pad;
    this.ensure(Math.min(height, this.bottom - MARGIN.top));
    this.doc.save().rect(this.left, this.y, this.width, height).lineWidth(1).fillAndStroke(colors.fill, colors.stroke).restore();
    let y = this.y + pad;
    for (const l of laid) {
      for (const w of l.wrapped) {
        this.use(l.style);
        this.drawLine(w, this.left + pad, y);
        y += l.lineHeight;
      }
    }
    this.y += height;
  }

  /**
   * A table with wrapped cells. Rows move whole to the next page when they fit
   * there; the header row is repeated at the top of every page the table spans.
   */
  table(columns: TableColumn[], rows: Array<Array<string | TableCell>>, options: TableOptions = {}): void {
    const size = options.size ?? 8.5;
    const monoSize = options.monoSize ?? 7.4;
    const total = columns.reduce((s, c) => s + c.width, 0);
    const widths = columns.map((c) => (c.width / total) * this.width);
    const xs = widths.map((_, i) => this.left + widths.slice(0, i).reduce((s, w) => s + w, 0));
    const layout = (cells: TableCell[], header: boolean): { lines: string[][]; styles: TextStyle[]; height: number[] } => {
      const styles = cells.map((cell, i): TextStyle => {
        const font = header ? 'bold' : cell.font ?? columns[i]!.font ?? 'sans';
        return { font, size: font === 'mono' ? monoSize : size, ...(cell.color ? { color: cell.color } : {}) };
      });
      const lines = cells.map((cell, i) => {
        this.use(styles[i]!);
        return this.wrap(cell.text, widths[i]! - 2 * CELL_PAD);
      });
      return { lines, styles, height: styles.map((s) => (s.size ?? size) * LINE_GAP) };
    };
    const rowHeight = (l: { lines: string[][]; height: number[] }): number =>
      Math.max(...l.lines.map((ls, i) => ls.length * l.height[i]!)) + 2 * CELL_PAD;

    const header = layout(columns.map((c) => ({ text: c.header })), true);
    const headerHeight = rowHeight(header);
    const drawRow = (l: { lines: string[][]; styles: TextStyle[]; height: number[] }, height: number, fill?: string): void => {
      if (fill) this.doc.save().rect(this.left, this.y, this.width, height).fill(fill).restore();
      l.lines.forEach((ls, i) => {
        let y = this.y + CELL_PAD;
        for (const line of ls) {
          this.use(l.styles[i]!);
          this.drawLine(line, xs[i]! + CELL_PAD, y);
          y += l.height[i]!;
        }
      });
      this.doc.moveTo(this.left, this.y + height).lineTo(this.left + this.width, this.y + height).lineWidth(0.4).strokeColor(RULE).stroke();
      this.y += height;
    };
    const drawHeader = (): void => drawRow(header, headerHeight, HEADER_FILL);

    // The header must have at least one body line under it on the same page.
    this.ensure(headerHeight + size * LINE_GAP * 2 + 2 * CELL_PAD);
    drawHeader();
    for (const raw of rows) {
      let row = layout(raw.map((c) => (typeof c === 'string' ? { text: c } : c)), false);
      let height = rowHeight(row);
      while (this.y + height > this.bottom) {
        const pageRoom = this.bottom - MARGIN.top - headerHeight;
        if (height <= pageRoom) {
          // The whole row fits on a fresh page: move it there.
          this.newPage();
          drawHeader();
          break;
        }
        // Taller than a page: draw the lines that fit here, carry the rest on.
        const room = this.bottom - this.y - 2 * CELL_PAD;
        const take = row.lines.map((ls, i) => Math.max(0, Math.floor(room / row.height[i]!)));
        if (take.every((t, i) => t === 0 && row.lines[i]!.length > 0)) {
          this.newPage();
          drawHeader();
          continue;
        }
        const head = { ...row, lines: row.lines.map((ls, i) => ls.slice(0, take[i])) };
        drawRow(head, rowHeight(head));
        row = { ...row, lines: row.lines.map((ls, i) => ls.slice(take[i])) };
        height = rowHeight(row);
        this.newPage();
        drawHeader();
      }
      drawRow(row, height);
    }
    this.y += 4;
  }

  /** Writes "Page n of m" (and a left-hand label) on every page once the content is final. */
  footers(label: string): void {
    const range = this.doc.bufferedPageRange();
    for (let i = range.start; i < range.start + range.count; i++) {
      this.doc.switchToPage(i);
      const y = PAGE.height - MARGIN.bottom + 22;
      this.use({ size: 8, color: MUTED });
      this.doc.moveTo(this.left, y - 6).lineTo(this.left + this.width, y - 6).lineWidth(0.4).strokeColor(RULE).stroke();
      this.drawLine(label, this.left, y);
      const pageText = `Page ${i - range.start + 1} of ${range.count}`;
      this.drawLine(pageText, this.left + this.width - this.doc.widthOfString(pageText), y);
    }
  }

  /** Ends the document and returns its bytes. */
  finish(): Promise<Buffer> {
    const chunks: Buffer[] = [];
    return new Promise((resolve, reject) => {
      this.doc.on('data', (c: Buffer) => chunks.push(c));
      this.doc.on('end', () => resolve(Buffer.concat(chunks)));
      this.doc.on('error', reject);
      this.doc.end();
    });
  }
}
