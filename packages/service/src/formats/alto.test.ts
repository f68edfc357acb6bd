/**
 * ALTO output: validated by xmllint against the ALTO 4.4 schema kept in
 * test-fixtures/alto (with its xlink import, so nothing is fetched: --nonet),
 * and read back with xmllint's XPath, so escaping is checked by a parser that
 * is not ours.
 */
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { OcrPage } from '@scanbridge/protocol';
import { altoXml } from './alto.js';
import { AWKWARD, awkwardPage, ocrSample } from './ocr-sample.js';
import { tool, withTempDir, xpath } from './test-tools.js';

const SCHEMA = fileURLToPath(new URL('../../test-fixtures/alto/alto-4-4.xsd', import.meta.url));

let sample: OcrPage;

describe('ALTO output', () => {
  before(() => {
    sample = ocrSample({ blocks: [['Invoice 2024-0317 dated 12.03.2024'], ['Größe und Übermaß', 'Café déjà vu']], inches: [4, 2] }).ocr;
  });

  it('validates against the ALTO 4.4 schema, words with positions, spaces and confidences', async () => {
    await withTempDir(async (dir) => {
      const file = path.join(dir, 'page.xml');
      await writeFile(file, altoXml([sample, awkwardPage()], { fileName: 'scan <1>.png', softwareVersion: '0.1.0' }));
      await tool('xmllint', ['--nonet', '--noout', '--schema', SCHEMA, file]);
      assert.equal(await xpath(file, 'string(//*[local-name()="MeasurementUnit"])'), 'pixel');
      assert.equal(await xpath(file, 'count(//*[local-name()="Page"])'), '2');
      const words = sample.blocks.flatMap((b) => b.lines.flatMap((l) => l.words));
      assert.equal(await xpath(file, 'count(//*[local-name()="Page"][1]//*[local-name()="String"])'), String(words.length));
      assert.equal(await xpath(file, 'count(//*[local-name()="Page"][1]//*[local-name()="SP"])'), String(words.length - 3));
      for (const [i, w] of words.entries()) {
        const at = `(//*[local-name()="Page"][1]//*[local-name()="String"])[${i + 1}]`;
        assert.equal(await xpath(file, `string(${at}/@CONTENT)`), w.text);
        const got = await Promise.all(['HPOS', 'VPOS', 'WIDTH', 'HEIGHT', 'WC'].map((a) => xpath(file, `number(${at}/@${a})`)));
        assert.deepEqual(got.map(Number), [w.box[0], w.box[1], w.box[2] - w.box[0], w.box[3] - w.box[1], 0.96], w.text);
      }
      const [line] = sample.blocks[0]!.lines;
      assert.equal(Number(await xpath(file, 'number((//*[local-name()="TextLine"])[1]/@HPOS)')), line!.box[0]);
      assert.equal(Number(await xpath(file, 'number((//*[local-name()="SP"])[1]/@WIDTH)')), line!.words[1]!.box[0] - line!.words[0]!.box[2]);
      assert.equal(await xpath(file, 'string(//*[local-name()="fileName"])'), 'scan <1>.png');
    });
  });

  it('escapes what XML must escape and replaces what it cannot carry; leaves out lines without words', async () => {
    await withTempDir(async (dir) => {
      const file = path.join(dir, 'awkward.xml');
      await writeFile(file, altoXml([awkwardPage()]));
      await tool('xmllint', ['--nonet', '--noout', '--schema', SCHEMA, file]);
      for (const [i, [, expected]] of AWKWARD.entries()) {
        assert.equal(await xpath(file, `string((//*[local-name()="String"])[${i + 1}]/@CONTENT)`), expected);
      }
      assert.equal(await xpath(file, 'count(//*[local-name()="TextLine"])'), '1');
      assert.equal(await xpath(file, 'count(//*[local-name()="TextBlock"])'), '2');
    });
  });

  it('the schema check is real: a String without CONTENT is refused', async () => {
    await withTempDir(async (dir) => {
      const file = path.join(dir, 'broken.xml');
      await writeFile(file, altoXml([sample]).replace(/ CONTENT="[^"]*"/, ''));
      await assert.rejects(tool('xmllint', ['--nonet', '--noout', '--schema', SCHEMA, file]), /CONTENT.*is required/);
    });
  });
});
