/**
 * The OCR engine (addons/ocr) behind saving's PageRecognizer: the options are
 * Recognize's defaults (psm 3, turned upright and deskewed on a working copy,
 * whole page), so a page a client already recognised with the same languages
 * comes from the engine's cache per page version, and one recognised for a
 * save is there for Recognize. The engine is loaded on the first call.
 */
import { checkLanguages } from '../addons/ocr/languages.js';
import { systemTesseract } from '../addons/ocr/engine-choice.js';
import type { PageRecognizer } from '../formats/page-recognizer.js';

export const ENGINE_RECOGNIZER: PageRecognizer = {
  check(languages) {
    checkLanguages(languages, systemTesseract()?.tessdata);
  },
  async recognize(buffer, pageId, languages, signal) {
    const { recognizeBufferPage } = await import('../addons/ocr/recognize-buffer.js');
    return recognizeBufferPage(buffer, buffer.info(pageId), { languages: [...languages], psm: 3, output: ['words'], orient: true, deskew: true }, undefined, signal);
  },
};
