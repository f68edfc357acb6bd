/**
 * What PDF/A-2b adds to a PDF: an XMP metadata packet naming the part and
 * conformance and repeating the document information, and an sRGB output
 * intent with an embedded ICC profile. The profile is libvips' built-in sRGB
 * (taken from sharp once), so nothing outside npm is needed at run time.
 */
import { sharp } from '../../imaging/sharp.js';
import type { PdfMetadata } from './pdf-writer.js';

let srgb: Promise<Buffer> | undefined;

export function srgbProfile(): Promise<Buffer> {
  srgb ??= (async () => {
    const probe = await sharp({ create: { width: 1, height: 1, channels: 3, background: '#ffffff' } }).withIccProfile('srgb').png().toBuffer();
    const { icc } = await sharp(probe).metadata();
    if (!icc || icc.toString('latin1', 36, 40) !== 'acsp') throw new Error('libvips did not provide its sRGB profile');
    return icc;
  })();
  return srgb;
}

const xml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** 2024-05-01T10:20:30Z: the XMP form of the same instant as the Info dictionary's date. */
const xmpDate = (d: Date) => `${d.toISOString().slice(0, 19)}Z`;

export function xmpPacket(meta: PdfMetadata, producer: string, date: Date): Buffer {
  const alt = (tag: string, text: string | undefined) => (text ? `<${tag}><rdf:Alt><rdf:li xml:lang="x-default">${xml(text)}</rdf:li></rdf:Alt></${tag}>` : '');
  const lines = [
    '<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>',
    '<x:xmpmeta xmlns:x="adobe:ns:meta/">',
    '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">',
    '<rdf:Description rdf:about="" xmlns:pdfaid="http://www.aiim.org/pdfa/ns/id/" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:xmp="http://ns.adobe.com/xap/1.0/" xmlns:pdf="http://ns.adobe.com/pdf/1.3/">',
    '<pdfaid:part>2</pdfaid:part>',
    '<pdfaid:conformance>B</pdfaid:conformance>',
    '<dc:format>application/pdf</dc:format>',
    alt('dc:title', meta.title),
    meta.author ? `<dc:creator><rdf:Seq><rdf:li>${xml(meta.author)}</rdf:li></rdf:Seq></dc:creator>` : '',
    alt('dc:description', meta.subject),
    meta.keywords ? `<pdf:Keywords>${xml(meta.keywords)}</pdf:Keywords>` : '',
    `<pdf:Producer>${xml(producer)}</pdf:Producer>`,
    meta.creator ? `<xmp:CreatorTool>${xml(meta.creator)}</xmp:CreatorTool>` : '',
    `<xmp:CreateDate>${xmpDate(date)}</xmp:CreateDate>`,
    `<xmp:ModifyDate>${xmpDate(date)}</xmp:ModifyDate>`,
    `<xmp:MetadataDate>${xmpDate(date)}</xmp:MetadataDate>`,
    '</rdf:Description>',
    '</rdf:RDF>',
    '</x:xmpmeta>',
    '<?xpacket end="w"?>',
  ];
  return Buffer.from(lines.filter(Boolean).join('\n'), 'utf8');
}
