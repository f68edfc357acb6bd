/**
 * Pages to a PDF with pdf-lib: each page sized from its pixel size and DPI;
 * JPEG pages are embedded as they are (no re-encoding), PNG pages losslessly.
 */
import { PDFDocument } from 'pdf-lib';
import type { StoredImage } from '../buffer/types.js';

export interface PdfMetadata {
  title?: string;
  author?: string;
  creator?: string;
}

export async function writePdf(pages: AsyncIterable<StoredImage> | Iterable<StoredImage>, meta: PdfMetadata = {}): Promise<Uint8Array> {
  const doc = await PDFDocument.create();
  doc.setCreator(meta.creator ?? 'scanbridge');
  doc.setProducer('scanbridge');
  if (meta.title) doc.setTitle(meta.title);
  if (meta.author) doc.setAuthor(meta.author);
  for await (const page of pages) {
    const image = page.format === 'jpeg' ? await doc.embedJpg(page.bytes) : await doc.embedPng(page.bytes);
    // PDF user space is 1/72 inch.
    const width = (page.width / page.xdpi) * 72;
    const height = (page.height / page.ydpi) * 72;
    doc.addPage([width, height]).drawImage(image, { x: 0, y: 0, width, height });
  }
  return doc.save();
}
