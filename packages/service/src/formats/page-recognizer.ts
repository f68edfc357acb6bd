/**
 * How saving reaches the OCR engine for a searchable PDF (SaveImages and
 * StartUpload with `ocr`): a small contract the service fills with the
 * engine (addons/ocr), so the writers depend on the page model only. The
 * engine keeps results per page version and languages, so a page already
 * recognised (by Recognize, or an earlier save) is not read again.
 */
import { availableParallelism } from 'node:os';
import { ScanbridgeError } from '@scanbridge/protocol/core';
import type { OcrPage } from '@scanbridge/protocol';
import type { ImageBuffer } from '../buffer/image-buffer.js';
import type { PageFacts, PageSource } from './encode.js';

export interface PageRecognizer {
  /** Throws what a call naming these languages gets (ocr-language-missing, invalid-params), before anything is written. */
  check(languages: readonly string[]): void;
  /** The page's recognised text, from the cache when this version was recognised with these languages. */
  recognize(buffer: ImageBuffer, pageId: string, languages: readonly string[], signal?: AbortSignal): Promise<OcrPage>;
}

export interface RecognisedPage {
  page: string;
  /** Where the page is in the buffer now (-1: removed meanwhile). */
  index: number;
  done: number;
  total: number;
}

/**
 * Counts a save's pages as their text arrives, each once (an upload that
 * retries reads its pages again, from the cache), for the `ocr` progress
 * events: a long searchable save reports every page recognised.
 */
export function recognisedCounter(buffer: ImageBuffer, total: number, report: (d: RecognisedPage) => void): (pageId: string) => void {
  const seen = new Set<string>();
  return (page) => {
    if (seen.has(page)) return;
    seen.add(page);
    let index = -1;
    try {
      index = buffer.info(page).index;
    } catch {
      // removed while its text was read: still a page done
    }
    report({ page, index, done: seen.size, total });
  };
}

/** A service without the OCR engine: a searchable PDF is refused before anything is written. */
export const NO_RECOGNIZER: PageRecognizer = {
  check() {
    throw new ScanbridgeError('invalid-params', 'params.ocr: this build has no OCR engine; save without ocr', { path: 'params.ocr' });
  },
  recognize() {
    return Promise.reject(new Error('no OCR engine'));
  },
};

/**
 * The pages with their text. When the writer asks for page i, pages i to
 * i + ahead are sent to the engine, so its pool (one thread per core) works
 * on as many pages as it has threads while the writer, a few pages at a
 * time, waits for the first; what is kept meanwhile is page models, not images.
 */
export function withText(
  source: PageSource,
  facts: readonly PageFacts[],
  buffer: ImageBuffer,
  recognizer: PageRecognizer,
  languages: readonly string[],
  signal?: AbortSignal,
  onRecognised?: (pageId: string) => void,
  ahead = availableParallelism(),
): PageSource {
  recognizer.check(languages);
  const started = new Map<number, Promise<OcrPage>>();
  const start = (i: number, stop: AbortSignal | undefined) => {
    if (i >= facts.length || started.has(i)) return;
    const id = facts[i]!.id;
    const p = recognizer.recognize(buffer, id, languages, stop);
    if (onRecognised) void p.then(() => onRecognised(id), () => undefined);
    // Awaited when the writer reaches the page; a save that fails first must not leave it unhandled.
    p.catch(() => undefined);
    started.set(i, p);
  };
  return {
    ...source,
    text: (i, stop) => {
      for (let k = i; k <= i + ahead; k++) start(k, stop ?? signal);
      const p = started.get(i)!;
      started.delete(i);
      return p;
    },
  };
}
