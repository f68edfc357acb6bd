/**
 * Multi-page PDF written as a stream: each page's image, content and page
 * object are written as soon as the page is encoded, the page tree, catalog
 * and cross-reference table at the end, so memory holds a few pages however
 * many there are. Written by hand because pdf-lib keeps the whole document
 * in memory until save(), cannot encrypt and has no raw CCITT or
 * pass-through PNG embedding; the PDF written here is plain (classic xref,
 * one image per page) and checked by qpdf, pdfinfo and pdftoppm in the tests.
 *
 * Options: document information, PDF/A-2b (XMP packet, sRGB output intent,
 * no encryption), AES-256 password protection, and an invisible text layer
 * of recognised words under each page's image (searchable PDF; the image and
 * the content stream drawing it are the same bytes as without it).
 */
import { createHash, randomBytes } from 'node:crypto';
import type { OcrPage } from '@scanbridge/protocol';
import { deflateSync } from 'node:zlib';
import type { StoredImage } from '../../buffer/types.js';
import { imageMemory, pixelBytes } from '../../util/memory-budget.js';
import { mapOrdered } from '../ordered.js';
import { srgbProfile, xmpPacket } from './pdf-a.js';
import { createEncryption, type PdfEncryption } from './pdf-encryption.js';
import { pageSize, pdfLayers, type PdfCompression } from './pdf-images.js';
import { num, pdfDate, ref, stringToken, textBytes } from './pdf-syntax.js';
import { TEXT_FONT_RESOURCE, TextLayerFont, textLayerContent } from './pdf-text-layer.js';

export interface PdfMetadata {
  title?: string | undefined;
  author?: string | undefined;
  subject?: string | undefined;
  keywords?: string | undefined;
  creator?: string | undefined;
}

export interface PdfOptions {
  metadata?: PdfMetadata | undefined;
  /** PDF/A-2b; cannot be combined with a password (PDF/A forbids encryption). */
  pdfa?: boolean | undefined;
  /** Protects the document with AES-256: it opens only with this password. */
  password?: string | undefined;
  /** Per page; see pdf-images.ts. Default auto. */
  compression?: PdfCompression | undefined;
  quality?: number | undefined;
  /**
   * The recognised text of page `index` (0-based), drawn invisibly under its
   * image; undefined for a page without. Called for a few pages at once, as
   * pages are prepared.
   */
  text?: ((page: StoredImage, index: number) => Promise<OcrPage | undefined>) | undefined;
  /**
   * Called once page `index` is written: every chunk holding its bytes has
   * been handed out and the consumer has asked for the next one (a page
   * leased from the buffer can go back, see PageSource.release).
   */
  done?: ((index: number) => void) | undefined;
}

const PRODUCER = 'scanbridge';

/** Pages prepared at once (decoding, G4, re-encoding run meanwhile). */
const IN_FLIGHT = 3;

const CATALOG = 1;
const PAGES = 2;
const INFO = 3;

class ObjectWriter {
  offset = 0;
  readonly offsets: number[] = [];
  next = INFO + 1;

  constructor(private readonly enc: PdfEncryption | undefined) {}

  allocate(): number {
    return this.next++;
  }

  bytes(b: Buffer): Buffer {
    this.offset += b.length;
    return b;
  }

  object(n: number, body: string): Buffer[] {
    this.offsets[n] = this.offset;
    return [this.bytes(Buffer.from(`${n} 0 obj\n${body}\nendobj\n`, 'latin1'))];
  }

  stream(n: number, entries: string, data: Buffer): Buffer[] {
    const body = this.enc ? this.enc.encrypt(data) : data;
    this.offsets[n] = this.offset;
    return [
      this.bytes(Buffer.from(`${n} 0 obj\n<< ${entries} /Length ${body.length} >>\nstream\n`, 'latin1')),
      this.bytes(body),
      this.bytes(Buffer.from('\nendstream\nendobj\n', 'latin1')),
    ];
  }

  text(s: string): string {
    const bytes = textBytes(s);
    return this.enc ? this.string(bytes) : stringToken(bytes);
  }

  string(bytes: Buffer): string {
    return this.enc ? stringToken(this.enc.encrypt(bytes), true) : stringToken(bytes, true);
  }
}

/** Writes the PDF; throws (ending the stream) when a page cannot be encoded. */
export async function* writePdf(pages: AsyncIterable<StoredImage>, opts: PdfOptions = {}): AsyncGenerator<Buffer> {
  if (opts.pdfa && opts.password !== undefined) throw new Error('PDF/A cannot be encrypted: choose pdfa or a password');
  const enc = opts.password !== undefined ? createEncryption(opts.password) : undefined;
  const w = new ObjectWriter(enc);
  const meta: PdfMetadata = { ...opts.metadata, creator: opts.metadata?.creator || PRODUCER };
  const date = new Date();
  const id = randomBytes(16).toString('hex');

  // Four bytes above 127 on the second line mark the file as binary (PDF/A asks for it).
  yield w.bytes(Buffer.from('%PDF-1.7\n%\xe2\xe3\xcf\xd3\n', 'latin1'));

  const encryptObj = enc ? w.allocate() : undefined;
  let catalogExtra = '';
  if (opts.pdfa) {
    const metadataObj = w.allocate();
    const intentObj = w.allocate();
    const iccObj = w.allocate();
    // PDF/A: the XMP packet is not compressed, so that any tool can find it.
    yield* w.stream(metadataObj, '/Type /Metadata /Subtype /XML', xmpPacket(meta, PRODUCER, date));
    yield* w.stream(iccObj, '/N 3 /Filter /FlateDecode', deflateSync(await srgbProfile()));
    yield* w.object(intentObj, `<< /Type /OutputIntent /S /GTS_PDFA1 /OutputConditionIdentifier ${w.text('sRGB IEC61966-2.1')} /RegistryName ${w.text('http://www.color.org')} /Info ${w.text('sRGB IEC61966-2.1')} /DestOutputProfile ${ref(iccObj)} >>`);
    catalogExtra = ` /Metadata ${ref(metadataObj)} /OutputIntents [${ref(intentObj)}]`;
  }
  if (enc) catalogExtra += ' /Extensions << /ADBE << /BaseVersion /1.7 /ExtensionLevel 8 >> >>';

  const kids: number[] = [];
  const profiles = new Map<string, number>();
  const imageOpts = { rgbOnly: opts.pdfa === true, compression: opts.compression, quality: opts.quality };
  // A JPEG page is passed through as its bytes (jpegImage claims memory for the rare one it must
  // re-encode); any other page costs its decoded pixels and their encoding. Claiming for every page
  // held pass-through saves to a few pages at a time and trimmed the heap after each burst.
  const textOf = opts.text;
  let font: TextLayerFont | undefined;
  const prepared = mapOrdered(pages, IN_FLIGHT, async (page, index) => {
    const layers = () => pdfLayers(page, imageOpts);
    const [images, ocr] = await Promise.all([page.format === 'jpeg' ? layers() : imageMemory.run(2 * pixelBytes(page), layers), textOf?.(page, index)]);
    return { layers: images, ocr, size: pageSize(page), index };
  });
  for await (const { layers, ocr, size, index } of prepared) {
    const [width, height] = size;
    const names: string[] = [];
    let draw = `q\n${width} 0 0 ${height} 0 0 cm\n`;
    for (const [k, image] of layers.entries()) {
      let entries = image.entries;
      if (image.icc) {
        const key = createHash('sha256').update(image.icc.profile).digest('hex');
        let iccObj = profiles.get(key);
        if (iccObj === undefined) {
          iccObj = w.allocate();
          profiles.set(key, iccObj);
          yield* w.stream(iccObj, `/N ${image.icc.components} /Filter /FlateDecode`, deflateSync(image.icc.profile));
        }
        entries = entries.replace('%ICC%', ref(iccObj));
      }
      if (image.palette) entries = entries.replace('%PALETTE%', w.string(image.palette));
      const imageObj = w.allocate();
      yield* w.stream(imageObj, `/Type /XObject /Subtype /Image /Width ${image.width} /Height ${image.height} ${entries}`, image.data);
      names.push(`/Im${k} ${ref(imageObj)}`);
      if (image.fill) draw += `${image.fill.map(num).join(' ')} ${image.fill.length === 1 ? 'g' : 'rg'}\n`;
      draw += `/Im${k} Do\n`;
    }
    let contents = '';
    let fonts = '';
    if (ocr) {
      font ??= new TextLayerFont(w);
      const text = textLayerContent(ocr, Number(width), Number(height), font);
      if (text.length > 0) {
        // Drawn first, so the image lies over it; its own stream leaves the image's untouched.
        const textObj = w.allocate();
        yield* w.stream(textObj, '/Filter /FlateDecode', deflateSync(text));
        contents = `${ref(textObj)} `;
        fonts = ` /Font << /${TEXT_FONT_RESOURCE} ${ref(font.ref)} >>`;
      }
    }
    const contentObj = w.allocate();
    const pageObj = w.allocate();
    yield* w.stream(contentObj, '', Buffer.from(`${draw}Q\n`, 'latin1'));
    contents = contents ? `[${contents}${ref(contentObj)}]` : ref(contentObj);
    yield* w.object(pageObj, `<< /Type /Page /Parent ${ref(PAGES)} /MediaBox [0 0 ${width} ${height}] /Resources << /XObject << ${names.join(' ')} >>${fonts} >> /Contents ${contents} >>`);
    kids.push(pageObj);
    opts.done?.(index);
  }
  if (kids.length === 0) throw new Error('a PDF needs at least one page');
  if (font) yield* font.objects();

  yield* w.object(PAGES, `<< /Type /Pages /Kids [${kids.map(ref).join(' ')}] /Count ${kids.length} >>`);
  yield* w.object(CATALOG, `<< /Type /Catalog /Pages ${ref(PAGES)}${catalogExtra} >>`);
  const info: Array<[string, string | undefined]> = [
    ['Title', meta.title],
    ['Author', meta.author],
    ['Subject', meta.subject],
    ['Keywords', meta.keywords],
    ['Creator', meta.creator],
    ['Producer', PRODUCER],
    ['CreationDate', pdfDate(date)],
    ['ModDate', pdfDate(date)],
  ];
  yield* w.object(INFO, `<< ${info.filter(([, v]) => v).map(([k, v]) => `/${k} ${w.text(v!)}`).join(' ')} >>`);
  if (enc && encryptObj !== undefined) yield* w.object(encryptObj, enc.dictionary);

  const size = w.next;
  const xrefAt = w.offset;
  const rows = ['xref', `0 ${size}`, '0000000000 65535 f\r'];
  for (let n = 1; n < size; n++) {
    const at = w.offsets[n];
    if (at === undefined) throw new Error(`bug: object ${n} was allocated but not written`);
    rows.push(`${String(at).padStart(10, '0')} 00000 n\r`);
  }
  const trailer = `<< /Size ${size} /Root ${ref(CATALOG)} /Info ${ref(INFO)} /ID [<${id}> <${id}>]${encryptObj !== undefined ? ` /Encrypt ${ref(encryptObj)}` : ''} >>`;
  yield w.bytes(Buffer.from(`${rows.join('\n')}\ntrailer\n${trailer}\nstartxref\n${xrefAt}\n%%EOF\n`, 'latin1'));
}
