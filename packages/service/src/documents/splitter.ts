/**
 * The split rule as a machine fed one page at a time, in buffer order, with
 * what a probe found on the page (separator-probe.ts). Pure: the same steps
 * split pages already in the buffer (SplitDocuments) and a scan as its pages
 * arrive (the `split` scan setting).
 *
 * A separator (barcode, patch, blank) does not start its document at once: the
 * document starts with the next page that is not a separator, which (for patch
 * codes and blank pages) is the page that names it. A kept separator becomes
 * that document's first page; two separators in a row with nothing between
 * make a document of the first (kept) or nothing (dropped). Pages before the
 * first separator are a document of their own.
 */
import type { DocumentCode, SplitRule } from '@scanbridge/protocol';

export interface PageFacts {
  /** The page is a separator sheet (rules barcode, patch, blank). */
  separator: boolean;
  /** Rule barcode: the separator's code; barcodeChange: the page's key code; else null. */
  code: DocumentCode | null;
}

export type SplitStep =
  | { kind: 'drop'; pageId: string }
  /**
   * Pages join document number `doc` (0, 1, ... in order of creation); `created` on its first
   * step, with the code naming it, or `nameFrom`: a page whose first code names it (patch, blank).
   */
  | { kind: 'join'; doc: number; created: boolean; pageIds: string[]; barcode: DocumentCode | null; nameFrom?: string | undefined };

export class Splitter {
  readonly #rule: Pick<SplitRule, 'on' | 'dropSeparator'>;
  #docs = 0;
  #current = -1;
  #key: string | null = null;
  /** A separator seen, its document not started yet. */
  #next: { barcode: DocumentCode | null; held: string | null } | null = null;

  constructor(rule: Pick<SplitRule, 'on' | 'dropSeparator'>) {
    this.#rule = rule;
  }

  get names(): boolean {
    return this.#rule.on === 'patch' || this.#rule.on === 'blank';
  }

  feed(pageId: string, facts: PageFacts): SplitStep[] {
    if (this.#rule.on === 'barcodeChange') {
      const key = facts.code;
      if (this.#current >= 0 && (!key || key.text === this.#key)) return [this.#join(pageId)];
      if (key) this.#key = key.text;
      return [this.#create([pageId], key, undefined)];
    }
    if (facts.separator) {
      const steps: SplitStep[] = [];
      // Two separators in a row: the first (kept) is a document of its own.
      if (this.#next?.held) steps.push(this.#create([this.#next.held], this.#next.barcode, this.names ? this.#next.held : undefined));
      const barcode = this.#rule.on === 'barcode' ? facts.code : null;
      if (this.#rule.dropSeparator) steps.push({ kind: 'drop', pageId });
      this.#next = { barcode, held: this.#rule.dropSeparator ? null : pageId };
      return steps;
    }
    if (this.#next) {
      const { barcode, held } = this.#next;
      this.#next = null;
      return [this.#create(held ? [held, pageId] : [pageId], barcode, barcode || !this.names ? undefined : pageId)];
    }
    if (this.#current < 0) return [this.#create([pageId], null, this.names ? pageId : undefined)];
    return [this.#join(pageId)];
  }

  /** After the last page: a kept separator still waiting is a document of its own. */
  end(): SplitStep[] {
    const next = this.#next;
    this.#next = null;
    return next?.held ? [this.#create([next.held], next.barcode, this.names ? next.held : undefined)] : [];
  }

  #create(pageIds: string[], barcode: DocumentCode | null, nameFrom: string | undefined): SplitStep {
    this.#current = this.#docs++;
    return { kind: 'join', doc: this.#current, created: true, pageIds, barcode, nameFrom };
  }

  #join(pageId: string): SplitStep {
    return { kind: 'join', doc: this.#current, created: false, pageIds: [pageId], barcode: null };
  }
}
