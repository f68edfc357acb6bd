/**
 * Lays out the demo document as SVG plus the slots that change from page to
 * page (barcodes, invoice number, "Page N of M"). The static SVG is rendered
 * once per paper size and resolution; slots are painted on every page.
 *
 * The design is made for 210 x 279.4 mm (the smaller of A4 and Letter in
 * each direction) and scaled to the paper's width or height, whichever is
 * tighter, like a reduced photocopy: every paper size, down to an area of a
 * few millimetres, shows the complete document; extra length stays blank.
 */
import { COMPANY, INVOICE, TERMS } from './document-content.js';
import { photoFrame } from './photo.js';
import { SvgBuilder, num, pt, svgDocument } from './svg-builder.js';
import type { FontFace } from './text-metrics.js';

export type Side = 'front' | 'back' | 'blank';

/** Millimetres on the page. */
export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

export type TextField = 'invoiceNo' | 'documentId' | 'pageLabel';

export type Slot =
  | { kind: 'code128'; rect: Rect }
  | { kind: 'qr'; rect: Rect }
  | { kind: 'text'; field: TextField; x: number; baseline: number; size: number; face: FontFace; align: 'start' | 'middle' | 'end'; color: readonly [number, number, number] };

export interface PageLayout {
  svg: string;
  slots: Slot[];
  /** Where the photo goes (rendered on its own, see photo.ts); line-art dithers it. */
  photo: Rect | null;
}

const BRAND = '#1d5fa7';
const GREY = '#5a5a5a';
const INK: readonly [number, number, number] = [34, 34, 38];
const DESIGN_WIDTH = 210;
const DESIGN_HEIGHT = 279.4;
const MARGIN = 20;

interface Frame {
  svg: SvgBuilder;
  slots: Slot[];
  /** Design width and height (mm before scaling). */
  w: number;
  h: number;
  left: number;
  right: number;
}

export function layoutPage(side: Side, widthMm: number, heightMm: number, widthPx: number, heightPx: number): PageLayout {
  const scale = Math.min(widthMm / DESIGN_WIDTH, heightMm / DESIGN_HEIGHT);
  const w = widthMm / scale;
  const h = heightMm / scale;
  const frame: Frame = { svg: new SvgBuilder(), slots: [], w, h, left: MARGIN, right: w - MARGIN };
  let photoRect: Rect | null = null;
  if (side === 'front') photoRect = invoice(frame);
  else if (side === 'back') terms(frame);
  dust(frame);
  const scaled = (r: Rect): Rect => ({ x: r.x * scale, y: r.y * scale, width: r.width * scale, height: r.height * scale });
  const slots = frame.slots.map((slot): Slot => {
    if (slot.kind !== 'text') return { ...slot, rect: scaled(slot.rect) };
    return { ...slot, x: slot.x * scale, baseline: slot.baseline * scale, size: slot.size * scale };
  });
  return { svg: svgDocument(widthPx, heightPx, widthMm, heightMm, scale, frame.svg.toString()), slots, photo: photoRect && scaled(photoRect) };
}

/**
 * Specks of dust and a hair on the scanner glass: at the same place on every
 * page (as on a real scanner), in the margins so they never touch a barcode,
 * and what keeps a blank page from being perfectly empty.
 */
function dust(f: Frame): void {
  const specks: [number, number, number, string][] = [
    [0.06, 0.52, 0.16, '#7a7a7a'],
    [0.935, 0.61, 0.12, '#4a4a4a'],
    [0.47, 0.025, 0.1, '#9a9a9a'],
    [0.31, 0.975, 0.2, '#8a8a8a'],
    [0.955, 0.18, 0.08, '#555'],
  ];
  for (const [fx, fy, r, fill] of specks) f.svg.add(`<circle cx="${num(fx * f.w)}" cy="${num(fy * f.h)}" r="${r}" fill="${fill}"/>`);
  const hx = 0.035 * f.w;
  const hy = 0.8 * f.h;
  f.svg.add(`<path d="M${num(hx)} ${num(hy)} c0.8 -1.2 1.6 0.4 2.2 -0.9 s0.9 -1.6 1.9 -1.2" fill="none" stroke="#8d8d8d" stroke-width="0.06"/>`);
}

function logo(f: Frame, x: number, y: number, size: number): void {
  const u = size / 14;
  f.svg.add(
    `<g transform="translate(${x} ${y}) scale(${u})"><rect width="14" height="14" rx="2.5" fill="${BRAND}"/>` +
      `<path d="M3.5 10.5 V3.5 L10.5 10.5 V3.5" fill="none" stroke="#fff" stroke-width="1.8" stroke-linejoin="round" stroke-linecap="round"/>` +
      `<circle cx="11" cy="11.2" r="1" fill="#f2b134"/></g>`,
  );
}

function footer(f: Frame): void {
  const top = f.h - 17;
  f.slots.push({ kind: 'text', field: 'pageLabel', x: f.right, baseline: top - 2.5, size: pt(8), face: 'bold', align: 'end', color: INK });
  f.svg.line(f.left, top, f.right, top, '#9aa7b5', 0.25);
  const size = pt(6.5);
  const columnX = [f.left, f.left + (f.right - f.left) * 0.56];
  COMPANY.footer.forEach((lines, col) => {
    lines.forEach((text, row) => f.svg.text(columnX[col] ?? f.left, top + 4.5 + row * 3.2, text, { size, fill: GREY }));
  });
}

/** Front side: an invoice. Returns the photo frame. */
function invoice(f: Frame): Rect {
  const { svg, left, right } = f;
  const width = right - left;
  logo(f, left, 13, 14);
  svg.text(left + 18, 19.5, COMPANY.name, { size: pt(15), face: 'bold', fill: BRAND });
  svg.text(left + 18, 24.5, COMPANY.tagline, { size: pt(7.5), fill: GREY, italic: true });
  svg.text(left, 33, COMPANY.address, { size: pt(7.5), fill: GREY });
  svg.text(left, 36.6, COMPANY.contact, { size: pt(7.5), fill: GREY });

  svg.text(right, 20, 'INVOICE', { size: pt(18), face: 'bold', anchor: 'end', fill: '#1b1b1b' }, ' letter-spacing="0.8"');
  const labelX = right - 58;
  svg.text(labelX, 27.5, 'Invoice no.', { size: pt(8), fill: GREY });
  f.slots.push({ kind: 'text', field: 'invoiceNo', x: right, baseline: 27.5, size: pt(8.5), face: 'bold', align: 'end', color: INK });
  INVOICE.facts.forEach(([label, value], i) => {
    svg.text(labelX, 31.5 + i * 4, label, { size: pt(8), fill: GREY });
    svg.text(right, 31.5 + i * 4, value, { size: pt(8.5), anchor: 'end' });
  });
  svg.rect(left, 48, width, 0.8, BRAND).rect(left, 49.2, width, 0.2, '#9aa7b5');

  // Address blocks, placed where a window envelope shows them.
  svg.text(left, 56, COMPANY.senderLine, { size: pt(6.5), fill: GREY });
  svg.line(left, 57, left + 78, 57, '#9a9a9a', 0.15);
  INVOICE.billTo.forEach((line, i) => svg.text(left, 62 + i * 4.2, line, { size: pt(9.5) }));
  const shipX = left + width * 0.58;
  svg.text(shipX, 56, 'Ship to', { size: pt(7.5), face: 'bold', fill: GREY });
  INVOICE.shipTo.forEach((line, i) => svg.text(shipX, 62 + i * 4.2, line, { size: pt(9) }));

  svg.text(left, 94, INVOICE.subject, { size: pt(10.5), face: 'bold' });
  svg.text(left, 101, INVOICE.greeting, { size: pt(9.5) });
  let y = 106;
  for (const para of INVOICE.body) {
    y = svg.paragraph(left, y, width, para, { size: pt(9.5), lineHeight: 4.5, justify: true }) + 1.5;
  }

  y = table(f, y + 1);
  const totalsTop = y + 5;
  INVOICE.totals.forEach(([label, value], i) => {
    const last = i === INVOICE.totals.length - 1;
    const baseline = totalsTop + i * 5 + (last ? 1.5 : 0);
    if (last) svg.rect(right - 70, baseline - 4.3, 70, 0.35, '#333').rect(right - 70, baseline + 1.6, 70, 0.35, '#333').rect(right - 70, baseline + 2.3, 70, 0.35, '#333');
    const style = { size: pt(last ? 10 : 9), face: (last ? 'bold' : 'regular') as FontFace };
    svg.text(right - 70, baseline, label, style);
    svg.text(right - 1.5, baseline, value, { ...style, anchor: 'end' });
  });
  svg.text(left, totalsTop, INVOICE.closing, { size: pt(9.5) });
  // A handwritten signature in blue ballpoint ink.
  svg.add(
    `<path transform="translate(${left} ${totalsTop + 2})" d="M1 9 C4 1 7 1 6 8 S9 12 11 5 S14 2 14 8 C15 12 18 3 20 6 S23 10 25 6 C27 3 28 9 31 7 S36 4 40 6 M8 11 C16 10 28 11 42 9" fill="none" stroke="#1f3f8f" stroke-width="0.45" stroke-linecap="round" stroke-linejoin="round"/>`,
  );
  svg.text(left, totalsTop + 17.5, INVOICE.signer, { size: pt(8), fill: GREY });

  const blockTop = totalsTop + 24;
  const photoRect = { x: left, y: blockTop, width: 68, height: 68 * 0.66 };
  svg.add(photoFrame(photoRect.x, photoRect.y, photoRect.width, photoRect.height));
  svg.text(left, blockTop + photoRect.height + 4.5, INVOICE.caption, { size: pt(7), fill: GREY, italic: true });

  const bx = left + 76;
  const bw = right - bx;
  svg.rect(bx, blockTop, bw, 0.3, BRAND);
  svg.text(bx, blockTop + 4.5, INVOICE.payTitle, { size: pt(8), face: 'bold', fill: BRAND });
  f.slots.push({ kind: 'code128', rect: { x: bx, y: blockTop + 6.5, width: bw, height: 15 } });
  f.slots.push({ kind: 'text', field: 'documentId', x: bx + bw / 2, baseline: blockTop + 25.5, size: pt(8), face: 'regular', align: 'middle', color: INK });
  const qr = 24;
  f.slots.push({ kind: 'qr', rect: { x: bx, y: blockTop + 27, width: qr, height: qr } });
  svg.paragraph(bx + qr + 3, blockTop + 33, bw - qr - 3, INVOICE.payHint, { size: pt(7.5), lineHeight: 3.5, fill: GREY });

  footer(f);
  return photoRect;
}

/** The item table with ruled lines; returns the y below it. */
function table(f: Frame, top: number): number {
  const { svg, left, right } = f;
  const widths = [11, 22, 0, 13, 22, 24];
  widths[2] = right - left - widths.reduce((a, b) => a + b, 0);
  const xs = widths.reduce<number[]>((acc, w) => [...acc, (acc.at(-1) ?? left) + w], [left]);
  const numeric = [false, false, false, true, true, true];
  const header = 7;
  const row = 6.2;
  const bottom = top + header + INVOICE.items.length * row;
  svg.rect(left, top, right - left, header, '#e4ebf3');
  INVOICE.items.forEach((_, i) => {
    if (i % 2 === 1) svg.rect(left, top + header + i * row, right - left, row, '#f5f7fa');
  });
  const cell = (text: string, col: number, baseline: number, face: FontFace): void => {
    const x = numeric[col] ? (xs[col + 1] ?? right) - 1.8 : (xs[col] ?? left) + 1.8;
    svg.text(x, baseline, text, { size: pt(8.5), face, anchor: numeric[col] ? 'end' : 'start' });
  };
  INVOICE.columns.forEach((text, col) => cell(text, col, top + 4.8, 'bold'));
  INVOICE.items.forEach((item, i) => item.forEach((text, col) => cell(text, col, top + header + i * row + 4.3, 'regular')));
  for (let i = 0; i <= INVOICE.items.length; i++) {
    const y = top + header + i * row;
    svg.line(left, y, right, y, i === 0 || i === INVOICE.items.length ? '#333' : '#b5b5b5', i === 0 || i === INVOICE.items.length ? 0.35 : 0.18);
  }
  svg.line(left, top, right, top, '#333', 0.35);
  for (const x of xs) svg.line(x, top, x, bottom, '#b5b5b5', 0.18);
  return bottom;
}

/** Back side: terms and conditions in two justified columns. */
function terms(f: Frame): void {
  const { svg, left, right, h } = f;
  logo(f, left, 12, 8);
  svg.text(left + 10.5, 17.6, COMPANY.name, { size: pt(9), face: 'bold', fill: BRAND });
  svg.text(left, 28, TERMS.title, { size: pt(13), face: 'bold' });
  svg.text(left, 33.5, TERMS.subtitle, { size: pt(7.5), fill: GREY, italic: true });
  svg.rect(left, 36.5, right - left, 0.5, BRAND);

  // Clauses flow into two columns balanced in height, as a typesetter would.
  const gutter = 8;
  const colWidth = (right - left - gutter) / 2;
  const size = pt(8.8);
  const lineHeight = 4.0;
  const top = 44;
  const bottom = h - 48;
  const heights = TERMS.clauses.map(([, body]) => (SvgBuilder.lineCount(body, colWidth, size) + 1) * lineHeight + 2.4);
  const half = heights.reduce((a, b) => a + b, 0) / 2;
  let col = 0;
  let y = top;
  TERMS.clauses.forEach(([heading, body], i) => {
    const height = heights[i] ?? 0;
    if (col === 0 && y - top + height / 2 > half) {
      col = 1;
      y = top;
    }
    if (y + height - 2.4 > bottom) return;
    const x = left + col * (colWidth + gutter);
    svg.text(x, y, heading, { size, face: 'bold' });
    y = svg.paragraph(x, y + lineHeight, colWidth, body, { size, lineHeight, justify: true }) + 2.4;
  });

  const band = h - 40;
  svg.rect(left, band - 3, right - left, 0.2, '#9aa7b5');
  f.slots.push({ kind: 'code128', rect: { x: left, y: band, width: 78, height: 12 } });
  f.slots.push({ kind: 'text', field: 'documentId', x: left + 39, baseline: band + 16, size: pt(7.5), face: 'regular', align: 'middle', color: INK });
  const qr = 19;
  f.slots.push({ kind: 'qr', rect: { x: right - qr, y: band - 1, width: qr, height: qr } });
  const ackX = left + 86;
  svg.text(ackX, band + 3, TERMS.acknowledgement, { size: pt(7), fill: GREY });
  svg.line(ackX, band + 14, right - qr - 5, band + 14, '#555', 0.2);

  footer(f);
}
