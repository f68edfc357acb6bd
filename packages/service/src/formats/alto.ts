/**
 * ALTO 4 XML (what libraries and archives ingest) from recognised pages: one
 * Page per OcrPage, its PrintSpace the whole image, TextBlock / TextLine /
 * String as the engine's blocks, lines and words, an SP between words; all
 * positions in pixels of the stored page (MeasurementUnit pixel), WC the
 * word confidence 0..1. Valid against the ALTO 4.4 schema (checked with
 * xmllint in alto.test.ts). A line without words is left out: ALTO wants a
 * String in every TextLine.
 */
import type { OcrBox, OcrPage } from '@scanbridge/protocol';
import { xmlText } from './xml-text.js';

export interface AltoOptions {
  /** The image file the pages came from (sourceImageInformation/fileName). */
  fileName?: string | undefined;
  /** Version of scanbridge, written as the processing software's. */
  softwareVersion?: string | undefined;
  /** When the text was recognised; default now. */
  date?: Date | undefined;
}

const n = (v: number) => (Number.isInteger(v) ? String(v) : v.toFixed(2).replace(/\.?0+$/, ''));

/** HPOS, VPOS, WIDTH and HEIGHT of a box. */
const position = ([x0, y0, x1, y1]: OcrBox) => `HPOS="${n(x0)}" VPOS="${n(y0)}" WIDTH="${n(Math.max(0, x1 - x0))}" HEIGHT="${n(Math.max(0, y1 - y0))}"`;

export function altoXml(pages: readonly OcrPage[], opts: AltoOptions = {}): string {
  const engines = [...new Set(pages.map((p) => p.engine))].join(', ');
  const languages = [...new Set(pages.flatMap((p) => p.languages))].join('+');
  const out: string[] = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<alto xmlns="http://www.loc.gov/standards/alto/ns-v4#" xmlns:xlink="http://www.w3.org/1999/xlink" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:schemaLocation="http://www.loc.gov/standards/alto/ns-v4# http://www.loc.gov/alto/v4/alto-4-4.xsd" SCHEMAVERSION="4.4">',
    '<Description>',
    '<MeasurementUnit>pixel</MeasurementUnit>',
    opts.fileName !== undefined ? `<sourceImageInformation><fileName>${xmlText(opts.fileName)}</fileName></sourceImageInformation>` : '',
    '<Processing ID="ocr">',
    '<processingCategory>contentGeneration</processingCategory>',
    `<processingDateTime>${(opts.date ?? new Date()).toISOString()}</processingDateTime>`,
    `<processingStepSettings>${xmlText(`engine: ${engines}; languages: ${languages}`)}</processingStepSettings>`,
    `<processingSoftware><softwareName>scanbridge</softwareName>${opts.softwareVersion ? `<softwareVersion>${xmlText(opts.softwareVersion)}</softwareVersion>` : ''}</processingSoftware>`,
    '</Processing>',
    '</Description>',
    '<Layout>',
  ];
  for (const [p, page] of pages.entries()) {
    const id = `p${p + 1}`;
    out.push(`<Page ID="${id}" PHYSICAL_IMG_NR="${p + 1}" WIDTH="${page.width}" HEIGHT="${page.height}" PROCESSINGREFS="ocr">`);
    out.push(`<PrintSpace HPOS="0" VPOS="0" WIDTH="${page.width}" HEIGHT="${page.height}">`);
    for (const [b, block] of page.blocks.entries()) {
      const lines = block.lines.filter((l) => l.words.length > 0);
      out.push(`<TextBlock ID="${id}_b${b + 1}" ${position(block.box)}>`);
      for (const [l, line] of lines.entries()) {
        out.push(`<TextLine ID="${id}_b${b + 1}_l${l + 1}" ${position(line.box)}>`);
        for (const [w, word] of line.words.entries()) {
          const wc = Math.max(0, Math.min(1, word.confidence / 100)).toFixed(2);
          out.push(`<String ID="${id}_b${b + 1}_l${l + 1}_w${w + 1}" CONTENT="${xmlText(word.text)}" ${position(word.box)} WC="${wc}"/>`);
          const next = line.words[w + 1];
          if (next) out.push(`<SP HPOS="${n(word.box[2])}" VPOS="${n(line.box[1])}" WIDTH="${n(Math.max(0, next.box[0] - word.box[2]))}"/>`);
        }
        out.push('</TextLine>');
      }
      out.push('</TextBlock>');
    }
    out.push('</PrintSpace>', '</Page>');
  }
  out.push('</Layout>', '</alto>');
  return `${out.filter(Boolean).join('\n')}\n`;
}
