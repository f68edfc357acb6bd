/** The split rule fed page by page: where documents start, what names them, which separators go. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { DocumentCode, SplitRule } from '@scanbridge/protocol';
import { type PageFacts, Splitter } from './splitter.js';

const code = (text: string, pageId: string): DocumentCode => ({ format: 'Code128', text, pageId });
type Page = [id: string, separator: boolean, text?: string];

/** Documents as lists of page ids with the name ('' for none, '@page' for a page to read the name from), and the dropped pages. */
function split(rule: Pick<SplitRule, 'on' | 'dropSeparator'>, pages: Page[]): { docs: string[][]; drop: string[] } {
  const s = new Splitter(rule);
  const docs: string[][] = [];
  const drop: string[] = [];
  const steps = [...pages.flatMap(([id, separator, text]) => s.feed(id, { separator, code: text ? code(text, id) : null } satisfies PageFacts)), ...s.end()];
  for (const step of steps) {
    if (step.kind === 'drop') drop.push(step.pageId);
    else if (step.created) {
      assert.equal(step.doc, docs.length);
      docs.push([step.barcode?.text ?? (step.nameFrom ? `@${step.nameFrom}` : ''), ...step.pageIds]);
    } else docs[step.doc]!.push(...step.pageIds);
  }
  return { docs, drop };
}

describe('Splitter', () => {
  it('barcode: each separator starts a document named by its code; kept as its first page, or dropped', () => {
    const pages: Page[] = [['a', false], ['s1', true, 'INV-1'], ['b', false], ['c', false], ['s2', true, 'INV-2'], ['d', false]];
    assert.deepEqual(split({ on: 'barcode', dropSeparator: false }, pages), {
      docs: [['', 'a'], ['INV-1', 's1', 'b', 'c'], ['INV-2', 's2', 'd']],
      drop: [],
    });
    assert.deepEqual(split({ on: 'barcode', dropSeparator: true }, pages), {
      docs: [['', 'a'], ['INV-1', 'b', 'c'], ['INV-2', 'd']],
      drop: ['s1', 's2'],
    });
  });

  it('separators in a row: a kept one is a document of its own, a dropped one leaves nothing; a kept last one too', () => {
    const pages: Page[] = [['s1', true, 'A'], ['s2', true, 'B'], ['x', false], ['s3', true, 'C']];
    assert.deepEqual(split({ on: 'barcode', dropSeparator: false }, pages).docs, [['A', 's1'], ['B', 's2', 'x'], ['C', 's3']]);
    assert.deepEqual(split({ on: 'barcode', dropSeparator: true }, pages), { docs: [['B', 'x']], drop: ['s1', 's2', 's3'] });
  });

  it('patch and blank: documents are named from their first page that is not a separator', () => {
    const pages: Page[] = [['a', false], ['p1', true], ['b', false], ['c', false], ['p2', true], ['d', false]];
    assert.deepEqual(split({ on: 'patch', dropSeparator: true }, pages), { docs: [['@a', 'a'], ['@b', 'b', 'c'], ['@d', 'd']], drop: ['p1', 'p2'] });
    assert.deepEqual(split({ on: 'blank', dropSeparator: false }, pages).docs, [['@a', 'a'], ['@b', 'p1', 'b', 'c'], ['@d', 'p2', 'd']]);
  });

  it('barcodeChange: a new document where the key changes; pages without a key stay; nothing is dropped', () => {
    const pages: Page[] = [['a', false], ['b', false, 'K1'], ['c', false, 'K1'], ['d', false], ['e', false, 'K2'], ['f', false, 'K1']];
    assert.deepEqual(split({ on: 'barcodeChange', dropSeparator: true }, pages), {
      docs: [['', 'a'], ['K1', 'b', 'c', 'd'], ['K2', 'e'], ['K1', 'f']],
      drop: [],
    });
  });
});
