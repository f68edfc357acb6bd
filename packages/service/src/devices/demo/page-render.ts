/**
 * One demo page: the cached template with the per-page slots painted in
 * (barcodes, invoice number, page number), as PNG: 8-bit RGB for colour,
 * 8-bit grey, 1-bit line-art. Only the bands holding slots are deflated per
 * page; the rest comes deflated from the template.
 */
import type { ColorMode } from '@scanbridge/protocol';
import type { EncodedPage } from '../driver.js';
import { type Mask, code128, qrCode } from './barcodes.js';
import { glyphAtlas, measure, setText } from './glyph-atlas.js';
import { type Rgb, paint } from './ink.js';
import type { Side, Slot, TextField } from './page-layout.js';
import { type PageTemplate, applyTone, pageTemplate, toPx } from './page-template.js';
import { type DeflatedPiece, deflatePiece, writePng } from '../../formats/png-pieces.js';
import { isIdentity, tone, toneTable } from './tone.js';

export interface PageRequest {
  widthMm: number;
  heightMm: number;
  dpi: number;
  mode: ColorMode;
  brightness: number;
  contrast: number;
  /** What is printed on this side of the sheet. */
  content: Side;
  /** Which side of the sheet faces the sensor. */
  face: 'front' | 'back';
  /** 1-based sheet in the feeder (1 on the flatbed). */
  sheet: number;
  /** 1-based page of the job, and the number of pages the job will deliver. */
  page: number;
  pages: number;
}

/** The Code 128 value of a page: `SB-DEMO-0001-F`. */
export function documentId(sheet: number, face: 'front' | 'back'): string {
  return `SB-DEMO-${String(sheet).padStart(4, '0')}-${face === 'front' ? 'F' : 'B'}`;
}

/**
 * The QR text of a page: `{"doc":"SB-DEMO-0001-F","page":1,"pages":20}`.
 * Short on purpose: encoding time grows with the symbol version.
 */
export function qrText(req: Pick<PageRequest, 'sheet' | 'face' | 'page' | 'pages'>): string {
  return JSON.stringify({ doc: documentId(req.sheet, req.face), page: req.page, pages: req.pages });
}

function fieldText(field: TextField, req: PageRequest): string {
  if (field === 'invoiceNo') return `INV-2025-${String(req.sheet).padStart(4, '0')}`;
  if (field === 'documentId') return documentId(req.sheet, req.face);
  return `Page ${req.page} of ${req.pages}`;
}

/** Bytes of the raw page as a scanner would transfer it (for progress). */
export function rawBytes(width: number, height: number, mode: ColorMode): number {
  return mode === 'bw' ? Math.ceil(width / 8) * height : width * height * (mode === 'color' ? 3 : 1);
}

const BARCODE_INK: Rgb = [0, 0, 0];

async function slotMask(slot: Slot, req: PageRequest): Promise<{ mask: Mask; ink: Rgb }> {
  const px = (mm: number): number => toPx(mm, req.dpi);
  if (slot.kind !== 'text') {
    const box = { x: px(slot.rect.x), y: px(slot.rect.y), width: px(slot.rect.width), height: px(slot.rect.height) };
    const mask = slot.kind === 'code128' ? code128(documentId(req.sheet, req.face), box, req.dpi) : qrCode(qrText(req), box);
    return { mask, ink: BARCODE_INK };
  }
  const atlas = await glyphAtlas(px(slot.size), slot.face);
  const text = fieldText(slot.field, req);
  const width = measure(atlas, text);
  const pen = px(slot.x) - (slot.align === 'end' ? width : slot.align === 'middle' ? width / 2 : 0);
  const set = setText(atlas, text);
  const mask = { x: Math.round(pen) - atlas.pad, y: Math.round(px(slot.baseline)) - atlas.baseline, ...set };
  return { mask, ink: slot.color };
}

// Slot bands are small; a fast level keeps the page time low at little cost in size.
const SLOT_LEVEL = 2;

export async function renderPage(req: PageRequest): Promise<EncodedPage> {
  const t = tone(req.brightness, req.contrast);
  const template: PageTemplate = await pageTemplate({ widthMm: req.widthMm, heightMm: req.heightMm, dpi: req.dpi, side: req.content, mode: req.mode, tone: t });
  const masks = await Promise.all(template.slots.map((slot) => slotMask(slot, req)));
  const table = req.mode !== 'bw' && !isIdentity(t) ? toneTable(t) : null;
  const layout = req.mode === 'bw' ? 'bits' : template.channels;
  const pieces = await Promise.all(
    template.bands.map(async (band): Promise<DeflatedPiece> => {
      if (band.kind === 'static') return band.piece;
      const rows = Buffer.from(band.rows);
      const target = { rows, y0: band.y0, y1: band.y1, width: template.width, rowBytes: template.rowBytes, layout } as const;
      for (const { mask, ink } of masks) paint(target, mask, ink, t);
      if (table) applyTone(rows, template.rowBytes, table);
      return deflatePiece(rows, SLOT_LEVEL);
    }),
  );
  const { width, height, channels, bitDepth } = template;
  const bytes = writePng({ width, height, channels, bitDepth, dpi: req.dpi }, pieces);
  return { kind: 'encoded', format: 'png', bytes, width, height, xdpi: req.dpi, ydpi: req.dpi, mode: req.mode, bitDepth };
}
