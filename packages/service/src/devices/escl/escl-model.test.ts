import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseXml, XmlRefused, ESCL_NS, PWG_NS } from './xml-parse.js';
import { capabilitiesXml, imageInfoXml, readCapabilities, readImageInfo, readScanSettings, readStatus, scanSettingsXml, statusXml, type EsclCapabilities } from './escl-model.js';

const input = {
  minWidth: 16,
  maxWidth: 2550,
  minHeight: 16,
  maxHeight: 3508,
  colorModes: ['BlackAndWhite1', 'Grayscale8', 'RGB24'],
  documentFormats: ['image/jpeg', 'image/png', 'application/pdf'],
  contentTypes: ['Photo', 'Text'],
  resolutions: { discrete: [75, 150, 300, 600], range: null },
  intents: ['Document', 'Photo'],
};

const caps: EsclCapabilities = {
  version: '2.63',
  makeAndModel: 'Acme <Scan> & Co 100',
  uuid: '4509a320-00a0-008f-00b6-002507510eca',
  adminUri: 'http://127.0.0.1/',
  platen: input,
  adfSimplex: { ...input, resolutions: { discrete: [], range: { min: 75, max: 600, normal: 300, step: 1 } } },
  adfDuplex: { ...input, resolutions: { discrete: [], range: { min: 75, max: 600, normal: 300, step: 1 } } },
  feederCapacity: 50,
  adfOptions: ['DetectPaperLoaded', 'Duplex'],
  brightness: { min: -100, max: 100, normal: 0, step: 1 },
  threshold: { min: 0, max: 255, normal: 128, step: 1 },
};

test('capabilities, settings, status and image info read back what was written', () => {
  assert.deepEqual(readCapabilities(parseXml(capabilitiesXml(caps))), caps);
  const settings = { version: '2.0', intent: 'Document', region: { x: 0, y: 10, width: 2550, height: 3300 }, inputSource: 'Feeder', duplex: true, documentFormat: 'image/jpeg', colorMode: 'RGB24', xResolution: 300, yResolution: 300, brightness: 5 };
  assert.deepEqual(readScanSettings(parseXml(scanSettingsXml(settings))), settings);
  const status = { version: '2.63', state: 'Processing', adfState: 'ScannerAdfJam', jobs: [{ uri: '/eSCL/ScanJobs/a1', uuid: 'a1', age: 3, imagesCompleted: 2, imagesToTransfer: 1, state: 'Processing', reasons: ['JobScanning'] }] };
  assert.deepEqual(readStatus(parseXml(statusXml(status))), status);
  const info = { jobUri: '/eSCL/ScanJobs/a1', jobUuid: 'a1', actualWidth: 2550, actualHeight: 3300, actualBytesPerLine: 7650 };
  assert.deepEqual(readImageInfo(parseXml(imageInfoXml(info))), info);
});

test('elements are matched by namespace, whatever the prefixes', () => {
  const xml = `<?xml version="1.0"?>
<ScannerStatus xmlns="${ESCL_NS}" xmlns:p="${PWG_NS}" xmlns:other="urn:x">
  <p:Version>2.0</p:Version><p:State>Idle</p:State><AdfState>ScannerAdfEmpty</AdfState>
  <other:State>Down</other:State>
</ScannerStatus>`;
  const status = readStatus(parseXml(xml));
  assert.equal(status.state, 'Idle');
  assert.equal(status.adfState, 'ScannerAdfEmpty');
  assert.throws(() => readStatus(parseXml(`<scan:ScannerStatus xmlns:scan="urn:not-escl"/>`)), /expected an eSCL ScannerStatus document/);
});

test('a DTD, an entity, an undeclared prefix, oversized, too deep or malformed XML is refused', () => {
  const billionLaughs = `<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]><scan:ScannerStatus xmlns:scan="${ESCL_NS}">&lol2;</scan:ScannerStatus>`;
  assert.throws(() => parseXml(billionLaughs), (e: unknown) => e instanceof XmlRefused && /document type declaration/.test(e.message));
  const xxe = `<?xml version="1.0"?>\n<!doctype x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><x>&xxe;</x>`;
  assert.throws(() => parseXml(xxe), /document type declaration/);
  assert.throws(() => parseXml(`<x>&xxe;</x>`), /the entity "&xxe;" is not one of XML's five predefined/);
  assert.equal(parseXml(`<x a="&quot;">&lt;&#65;&#x42;&amp;</x>`).text, '<AB&');
  assert.equal(parseXml(`<x a="&quot;"/>`).attrs['a'], '"');
  assert.throws(() => parseXml(`<p:x/>`), /prefix "p" of <p:x> is not declared/);
  assert.throws(() => parseXml(`<x>${'a'.repeat(300 * 1024)}</x>`), /more than the 262144 allowed/);
  assert.throws(() => parseXml(`<x>${'<y>'.repeat(40)}${'</y>'.repeat(40)}</x>`), XmlRefused);
  assert.throws(() => parseXml(`<a><b><c/></b></a>`, { maxDepth: 2 }), /nest deeper than 2/);
  assert.throws(() => parseXml(`<a><b></a>`), /malformed XML at line 1/);
  assert.throws(() => parseXml(`<a/><b/>`), /malformed XML|more than one root/);
  assert.throws(() => parseXml(''), XmlRefused);
});

test('a capabilities document without platen or feeder is refused; a Duplex ADF option makes the simplex caps duplex', () => {
  assert.throws(() => readCapabilities(parseXml(`<scan:ScannerCapabilities xmlns:scan="${ESCL_NS}"/>`)), /neither a platen nor a feeder/);
  const { adfDuplex: _, ...simplexOnly } = caps;
  const read = readCapabilities(parseXml(capabilitiesXml(simplexOnly)));
  assert.deepEqual(read.adfDuplex, simplexOnly.adfSimplex);
});
