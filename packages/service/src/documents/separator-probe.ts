/**
 * What a split rule needs to know of a page: is it a separator sheet, and
 * which code names (or keys) it. Codes come from the barcode reader (cached
 * per page version, so a page read by the `barcodes` scan setting or
 * ReadBarcodes with the same options is not read twice), blank pages from
 * imaging/analysis/blank.ts with DetectBlankImages' defaults.
 *
 * A pattern is compiled once and only ever used with RegExp#test, on at most
 * MAX_TESTED characters of a code's text: nothing a barcode holds is run.
 */
import { BARCODE_FORMATS, type BarcodeFormat, type BarcodeResult, type DocumentCode, type PageInfo, type SplitRule } from '@scanbridge/protocol';
import type { ImageBuffer } from '../buffer/image-buffer.js';
import { readBufferPage } from '../addons/barcode/read-buffer.js';
import type { ReadOptions } from '../addons/barcode/read-page.js';
import { measureBlank } from '../imaging/analysis/blank.js';
import type { PageFacts } from './splitter.js';

const MAX_TESTED = 1000;
/** Codes that name documents, unless the rule names formats: every symbology but patch codes (they carry no name). */
const NAMING_FORMATS = BARCODE_FORMATS.filter((f) => f !== 'PatchCode');
const BLANK = { inkThreshold: 64, minInkArea: 1.5, minMarkArea: 0.15, margin: 5 };

const readOptions = (formats: BarcodeFormat[]): ReadOptions => ({ formats, maxSymbols: 255, tryHarder: true, tryRotate: true, tryInvert: false, timeout: 0 });

export class SeparatorProbe {
  readonly #buffer: ImageBuffer;
  readonly #rule: SplitRule;
  readonly #pattern: RegExp | undefined;

  constructor(buffer: ImageBuffer, rule: SplitRule) {
    this.#buffer = buffer;
    this.#rule = rule;
    // Validated by the protocol schema; compiled without the g/y flags, so test() keeps no state.
    this.#pattern = rule.pattern === undefined ? undefined : new RegExp(rule.pattern, 'u');
  }

  /** What the rule sees on the page. */
  async facts(info: PageInfo): Promise<PageFacts> {
    switch (this.#rule.on) {
      case 'barcode': {
        const code = await this.name(info);
        return { separator: code !== null, code };
      }
      case 'barcodeChange':
        return { separator: false, code: await this.name(info) };
      case 'patch': {
        const read = await readBufferPage(this.#buffer, info, readOptions(['PatchCode']));
        const wanted = this.#rule.patchCodes;
        return { separator: read.barcodes.some((b) => !wanted || (wanted as string[]).includes(b.text)), code: null };
      }
      case 'blank': {
        const image = await this.#buffer.getImage(info.id);
        return { separator: (await measureBlank(image, BLANK)).blank, code: null };
      }
    }
  }

  /** The first code on the page (reading order) of the rule's formats whose text matches its pattern, or null. */
  async name(info: PageInfo): Promise<DocumentCode | null> {
    const formats = this.#rule.formats ?? NAMING_FORMATS;
    const read = await readBufferPage(this.#buffer, info, readOptions(formats));
    const code = read.barcodes.find((b) => this.#matches(b));
    return code ? { format: code.format, text: code.text, pageId: info.id } : null;
  }

  #matches(code: BarcodeResult): boolean {
    return this.#pattern === undefined || this.#pattern.test(code.text.slice(0, MAX_TESTED));
  }
}
