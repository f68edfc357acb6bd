/**
 * The outputs of Recognize made from one page model: the text, the model
 * itself (`words`), and hOCR and ALTO from the writers in formats/ (shared
 * with saving), so every output places a word at the same box.
 */
import type { OcrOutput, OcrPage, PageText } from '@scanbridge/protocol';
import { altoXml } from '../../formats/alto.js';
import { hocrHtml } from '../../formats/hocr.js';
import { VERSION } from '../../version.js';

export function pageOutputs(page: OcrPage, output: readonly OcrOutput[]): Omit<PageText, 'page' | 'index' | 'version'> {
  const out: Omit<PageText, 'page' | 'index' | 'version'> = {};
  if (output.includes('text')) out.text = page.text;
  if (output.includes('words')) out.words = page;
  if (output.includes('hocr')) out.hocr = hocrHtml([page]);
  if (output.includes('alto')) out.alto = altoXml([page], { softwareVersion: VERSION });
  return out;
}
