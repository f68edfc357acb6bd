/**
 * Finds the pages of a PDF that are nothing but one JPEG covering the page
 * (what scanners and img2pdf write), so that loading the PDF takes those
 * JPEGs byte for byte instead of rendering and re-encoding them. pdf.js
 * renders but does not hand out raw image streams, so the structure is read
 * with pdf-lib. Encrypted documents are rendered (their streams would need
 * decrypting first).
 */
import { PDFArray, PDFDict, PDFDocument, PDFName, PDFNumber, PDFRawStream, PDFRef, PDFStream, decodePDFRawStream, type PDFPage } from 'pdf-lib';
import { isPdfCompatibleJpeg, readJpegHeader } from '../jpeg-markers.js';

export interface PageJpeg {
  bytes: Uint8Array;
  width: number;
  height: number;
  xdpi: number;
  ydpi: number;
  components: number;
}

export interface JpegPageFinder {
  pageCount: number;
  find(index: number): PageJpeg | undefined;
}

export async function jpegPageFinder(bytes: Uint8Array): Promise<JpegPageFinder | undefined> {
  let doc: PDFDocument;
  try {
    doc = await PDFDocument.load(bytes, { ignoreEncryption: true, updateMetadata: false, throwOnInvalidObject: false });
  } catch {
    return undefined;
  }
  if (doc.isEncrypted) return undefined;
  let pages: PDFPage[];
  try {
    pages = doc.getPages();
  } catch {
    return undefined;
  }
  return {
    pageCount: pages.length,
    find(index) {
      try {
        const page = pages[index];
        return page ? singleJpeg(page) : undefined;
      } catch {
        return undefined;
      }
    },
  };
}

type Matrix = [number, number, number, number, number, number];

const multiply = (m: Matrix, n: Matrix): Matrix => [
  m[0] * n[0] + m[1] * n[2],
  m[0] * n[1] + m[1] * n[3],
  m[2] * n[0] + m[3] * n[2],
  m[2] * n[1] + m[3] * n[3],
  m[4] * n[0] + m[5] * n[2] + n[4],
  m[4] * n[1] + m[5] * n[3] + n[5],
];

/** The image name and matrix of a content stream of the form `q a b c d e f cm /Name Do Q`, else undefined. */
function drawnImage(content: string): { name: string; matrix: Matrix } | undefined {
  const tokens = content.replace(/%[^\r\n]*/g, ' ').split(/[\s]+|(?=\/)/).filter(Boolean);
  let ctm: Matrix = [1, 0, 0, 1, 0, 0];
  let name: string | undefined;
  const operands: string[] = [];
  for (const t of tokens) {
    if (/^[+-]?(\d+\.?\d*|\.\d+)$/.test(t) || t.startsWith('/')) {
      operands.push(t);
      continue;
    }
    if (t === 'q' || t === 'Q') {
      if (operands.length) return undefined;
    } else if (t === 'cm') {
      if (operands.length !== 6 || name) return undefined;
      ctm = multiply(operands.map(Number) as Matrix, ctm);
    } else if (t === 'Do') {
      if (operands.length !== 1 || name || !operands[0]!.startsWith('/')) return undefined;
      name = operands[0]!.slice(1);
    } else {
      return undefined;
    }
    operands.length = 0;
  }
  return name && operands.length === 0 ? { name, matrix: ctm } : undefined;
}

function contentText(page: PDFPage): string | undefined {
  const contents = page.node.Contents();
  const streams = contents instanceof PDFArray ? contents.asArray().map((r) => page.doc.context.lookup(r)) : [contents];
  const parts: string[] = [];
  for (const s of streams) {
    if (!(s instanceof PDFRawStream)) return undefined;
    parts.push(Buffer.from(decodePDFRawStream(s).decode()).toString('latin1'));
  }
  return parts.join('\n');
}

const near = (a: number, b: number) => Math.abs(a - b) <= Math.max(0.5, Math.abs(b) * 0.002);
const dpi = (pixels: number, points: number) => Math.round((pixels / (points / 72)) * 100) / 100;

function singleJpeg(page: PDFPage): PageJpeg | undefined {
  if (page.getRotation().angle % 360 !== 0) return undefined;
  const userUnit = page.node.get(PDFName.of('UserUnit'));
  if (userUnit && !(userUnit instanceof PDFNumber && userUnit.asNumber() === 1)) return undefined;
  const text = contentText(page);
  const drawn = text === undefined ? undefined : drawnImage(text);
  if (!drawn) return undefined;
  const box = page.getMediaBox();
  const [a, b, c, d, e, f] = drawn.matrix;
  if (!(near(a, box.width) && near(d, box.height) && near(b, 0) && near(c, 0) && near(e, box.x) && near(f, box.y))) return undefined;
  const xobjects = page.node.Resources()?.lookupMaybe(PDFName.of('XObject'), PDFDict);
  const image = xobjects?.lookup(PDFName.of(drawn.name));
  if (!(image instanceof PDFRawStream)) return undefined;
  const dict = image.dict;
  if (dict.lookup(PDFName.of('Subtype')) !== PDFName.of('Image')) return undefined;
  for (const key of ['SMask', 'Mask', 'Decode', 'DecodeParms', 'ImageMask']) if (dict.has(PDFName.of(key))) return undefined;
  const filter = dict.lookup(PDFName.of('Filter'));
  const filters = filter instanceof PDFArray ? filter.asArray().map((x) => dict.context.lookup(x)) : [filter];
  if (filters.length !== 1 || filters[0] !== PDFName.of('DCTDecode')) return undefined;
  const components = colourComponents(dict);
  if (components === undefined) return undefined;
  const bpc = dict.lookup(PDFName.of('BitsPerComponent'));
  if (!(bpc instanceof PDFNumber) || bpc.asNumber() !== 8) return undefined;
  const bytes = image.contents;
  const header = readJpegHeader(bytes);
  const w = dict.lookup(PDFName.of('Width'));
  const h = dict.lookup(PDFName.of('Height'));
  if (!isPdfCompatibleJpeg(header) || header.components !== components) return undefined;
  if (!(w instanceof PDFNumber && h instanceof PDFNumber && w.asNumber() === header.width && h.asNumber() === header.height)) return undefined;
  return { bytes, width: header.width, height: header.height, xdpi: dpi(header.width, box.width), ydpi: dpi(header.height, box.height), components };
}

/** 1 or 3 for DeviceGray, DeviceRGB and ICC-based grey or RGB; undefined for anything a plain JPEG page cannot be. */
function colourComponents(dict: PDFDict): number | undefined {
  const cs = dict.lookup(PDFName.of('ColorSpace'));
  if (cs === PDFName.of('DeviceGray')) return 1;
  if (cs === PDFName.of('DeviceRGB')) return 3;
  if (cs instanceof PDFArray && cs.size() === 2 && cs.lookup(0) === PDFName.of('ICCBased')) {
    const profile = cs.get(1);
    const stream = profile instanceof PDFRef ? dict.context.lookup(profile) : profile;
    const n = stream instanceof PDFStream ? stream.dict.lookup(PDFName.of('N')) : undefined;
    if (n instanceof PDFNumber && (n.asNumber() === 1 || n.asNumber() === 3)) return n.asNumber();
  }
  return undefined;
}
