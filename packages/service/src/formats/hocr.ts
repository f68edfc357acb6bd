/**
 * hOCR (XHTML with the OCR in class and title attributes, what OCRmyPDF,
 * hocr-tools and many viewers read) from recognised pages: ocr_page >
 * ocr_carea > ocr_par > ocr_line > ocrx_word, each with its bbox in pixels of
 * the stored page; lines carry their baseline, words x_wconf. Written as XML
 * (XHTML 1.0), so any XML parser reads it back; the DOCTYPE is not needed to
 * parse it and is left out so nothing fetches a DTD.
 */
import type { OcrBox, OcrLine, OcrPage } from '@scanbridge/protocol';
import { xmlText } from './xml-text.js';

export interface HocrOptions {
  /** The image file the pages came from (the page's `image` property). */
  fileName?: string | undefined;
}

const bbox = (box: OcrBox) => `bbox ${box.map((v) => Math.round(v)).join(' ')}`;

/** hOCR's baseline: slope and offset of the baseline from the line box's bottom left, in pixels (y down). */
const baseline = (line: OcrLine) => (line.baseline !== undefined ? `; baseline 0 ${-Math.round(line.baseline)}` : '');

/** The first language as an HTML lang value: Tesseract codes are ISO 639-2 (`deu`), a script suffix dropped. */
const langOf = (page: OcrPage) => (page.languages[0] ?? '').split('_')[0]!.replace(/[^A-Za-z]/g, '') || undefined;

export function hocrHtml(pages: readonly OcrPage[], opts: HocrOptions = {}): string {
  const engines = [...new Set(pages.map((p) => p.engine))].join(', ');
  const out: string[] = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<html xmlns="http://www.w3.org/1999/xhtml">',
    '<head>',
    '<title></title>',
    '<meta http-equiv="Content-Type" content="text/html; charset=utf-8"/>',
    `<meta name="ocr-system" content="${xmlText(`scanbridge (${engines})`)}"/>`,
    '<meta name="ocr-capabilities" content="ocr_page ocr_carea ocr_par ocr_line ocrx_word ocrp_wconf"/>',
    '</head>',
    '<body>',
  ];
  let word = 0;
  for (const [p, page] of pages.entries()) {
    const id = p + 1;
    const image = opts.fileName !== undefined ? `image "${opts.fileName.replace(/["\\]/g, (c) => `\\${c}`)}"; ` : '';
    const lang = langOf(page);
    out.push(`<div class="ocr_page" id="page_${id}" title="${xmlText(`${image}${bbox([0, 0, page.width, page.height])}; ppageno ${p}; scan_res ${Math.round(page.dpi)} ${Math.round(page.dpi)}`)}">`);
    for (const [b, block] of page.blocks.entries()) {
      out.push(`<div class="ocr_carea" id="block_${id}_${b + 1}" title="${bbox(block.box)}">`);
      out.push(`<p class="ocr_par" id="par_${id}_${b + 1}"${lang ? ` lang="${lang}"` : ''} title="${bbox(block.box)}">`);
      for (const [l, line] of block.lines.entries()) {
        out.push(`<span class="ocr_line" id="line_${id}_${b + 1}_${l + 1}" title="${bbox(line.box)}${baseline(line)}">`);
        for (const w of line.words) {
          word++;
          out.push(`<span class="ocrx_word" id="word_${id}_${word}" title="${bbox(w.box)}; x_wconf ${Math.round(Math.max(0, Math.min(100, w.confidence)))}">${xmlText(w.text)}</span>`);
        }
        out.push('</span>');
      }
      out.push('</p>', '</div>');
    }
    out.push('</div>');
  }
  out.push('</body>', '</html>');
  return `${out.join('\n')}\n`;
}
