/**
 * Splitting a session's pages into documents: SplitDocuments on pages in the
 * buffer (all probed first, two per reader thread, then split in order, one
 * buffer change), and the `split` scan setting, which feeds each page to the
 * rule as it arrives, in arrival order, and lets it join its document at once.
 */
import type { DocumentCode, DocumentInfo, PageRef, SplitRule } from '@scanbridge/protocol';
import type { ImageBuffer } from '../buffer/image-buffer.js';
import { targetIds } from '../buffer/page-targets.js';
import { sharedBarcodePool } from '../addons/barcode/worker-pool.js';
import { SeparatorProbe } from './separator-probe.js';
import { type PageFacts, type SplitStep, Splitter } from './splitter.js';

/** Splits the pages (default: every page) and answers every document of the buffer. */
export async function splitBufferPages(buffer: ImageBuffer, rule: SplitRule, pages?: PageRef[]): Promise<DocumentInfo[]> {
  const ids = pages ? targetIds(buffer, { pages }) : buffer.list().map((p) => p.id);
  const infos = ids.map((id) => buffer.info(id));
  const probe = new SeparatorProbe(buffer, rule);
  const facts: PageFacts[] = new Array(infos.length);
  let next = 0;
  const lane = async () => {
    while (next < infos.length) {
      const i = next++;
      facts[i] = await probe.facts(infos[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(infos.length, sharedBarcodePool().size * 2) }, lane));
  const splitter = new Splitter(rule);
  const steps = [...infos.flatMap((info, i) => splitter.feed(info.id, facts[i]!)), ...splitter.end()];
  const docs: { pageIds: string[]; barcode: DocumentCode | null }[] = [];
  const drop: string[] = [];
  for (const step of steps) {
    if (step.kind === 'drop') drop.push(step.pageId);
    else if (step.created) docs.push({ pageIds: [...step.pageIds], barcode: step.nameFrom ? await probe.name(buffer.info(step.nameFrom)) : step.barcode });
    else docs[step.doc]!.pageIds.push(...step.pageIds);
  }
  await buffer.splitDocuments(ids, docs, drop);
  return buffer.documents();
}

/**
 * A scan's split: pages are fed in the order they arrived, each after the one
 * before has joined its document, so documents grow in page order while the
 * reader works on later pages.
 */
export class ScanSplit {
  readonly #buffer: ImageBuffer;
  readonly #probe: SeparatorProbe;
  readonly #splitter: Splitter;
  readonly #docIds = new Map<number, string>();
  #chain: Promise<void> = Promise.resolve();

  constructor(buffer: ImageBuffer, rule: SplitRule) {
    this.#buffer = buffer;
    this.#probe = new SeparatorProbe(buffer, rule);
    this.#splitter = new Splitter(rule);
  }

  /** Queues a page that arrived; its facts are read at once, beside the scan. */
  page(pageId: string): void {
    const facts = this.#probe.facts(this.#buffer.info(pageId)).catch((): PageFacts => ({ separator: false, code: null }));
    // A failed step (the buffer closing) must not stop the pages after it.
    this.#chain = this.#chain.then(async () => this.#apply(this.#splitter.feed(pageId, await facts))).catch(() => undefined);
  }

  /** After the last page; resolves when every page has joined its document. */
  async end(): Promise<void> {
    this.#chain = this.#chain.then(() => this.#apply(this.#splitter.end()));
    await this.#chain;
  }

  async #apply(steps: SplitStep[]): Promise<void> {
    for (const step of steps) {
      // A page removed meanwhile (by the page itself, or a client) is skipped: the buffer filters ids that are gone.
      if (step.kind === 'drop') {
        await this.#buffer.remove([step.pageId]).catch(() => undefined);
        continue;
      }
      let barcode = step.barcode;
      if (step.created && step.nameFrom) {
        const from = step.nameFrom;
        barcode = await Promise.resolve()
          .then(() => this.#probe.name(this.#buffer.info(from)))
          .catch(() => null);
      }
      const id = await this.#buffer.joinDocument(step.created ? undefined : this.#docIds.get(step.doc), step.pageIds, barcode);
      this.#docIds.set(step.doc, id);
    }
  }
}
