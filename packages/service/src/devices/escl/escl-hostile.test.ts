/**
 * The eSCL driver against a scanner that misbehaves, scripted per test: XML
 * with a DTD or entities, oversized or malformed XML, a page that stalls or
 * whose connection drops mid-body, a device that stays busy, jams, runs
 * empty or has its hatch open. Each ends in a typed error, nothing hangs, and
 * the pages received before stay with the caller.
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, beforeEach, describe, it } from 'node:test';
import { ScanbridgeError } from '@scanbridge/protocol';
import { sharp } from '../../imaging/sharp.js';
import { recordingSink, settings } from '../demo/test-helpers.js';
import { listed, staticDirectory } from '../../test-support/escl-directory.js';
import { rejection } from '../../test-support/rejection.js';
import { EsclDriver } from './escl-driver.js';
import { capabilitiesXml, statusXml, type EsclCapabilities, type EsclInputCaps } from './escl-model.js';

type Handler = (req: http.IncomingMessage, res: http.ServerResponse) => void;

const input: EsclInputCaps = {
  minWidth: 16,
  maxWidth: 2550,
  minHeight: 16,
  maxHeight: 3300,
  colorModes: ['Grayscale8', 'RGB24'],
  documentFormats: ['image/jpeg'],
  contentTypes: [],
  resolutions: { discrete: [100, 300], range: null },
  intents: [],
};
const CAPS: EsclCapabilities = { version: '2.63', makeAndModel: 'Hostile 1', platen: input, adfSimplex: input, adfOptions: [] };
const status = (adfState = 'ScannerAdfLoaded', state = 'Idle') => statusXml({ version: '2.63', state, adfState, jobs: [] });
const DEVICE = 'escl:hostile';
const FEEDER = settings({ source: 'feeder', mode: 'gray', dpi: 100, paper: { width: 50, height: 50 } });

describe('the eSCL driver against a misbehaving scanner', () => {
  let server: http.Server;
  let routes: Map<string, Handler>;
  let driver: EsclDriver;
  let deletes: number;
  let jpeg: Buffer;
  /** Answers NextDocument with `pages` pages, then `after`. */
  const pagesThen = (pages: number, end: Handler): Handler => {
    let sent = 0;
    return (req, res) => (sent++ < pages ? res.writeHead(200, { 'content-type': 'image/jpeg', 'content-length': jpeg.length }).end(jpeg) : end(req, res));
  };
  const xml = (body: string, code = 200): Handler => (_req, res) => res.writeHead(code, { 'content-type': 'text/xml' }).end(body);

  before(async () => {
    jpeg = await sharp({ create: { width: 197, height: 197, channels: 3, background: '#808080' } }).greyscale().jpeg().toBuffer();
    server = http.createServer((req, res) => {
      const path = new URL(req.url!, 'http://x').pathname;
      if (req.method === 'DELETE') deletes++;
      const handler = routes.get(`${req.method} ${path}`) ?? routes.get(path);
      if (handler) handler(req, res);
      else res.writeHead(404).end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/eSCL`;
    driver = new EsclDriver({ directory: staticDirectory([listed(url, 'Hostile', 'hostile')]), transport: { busyRetries: 2, stallTimeoutMs: 300, answerTimeoutMs: 2000 }, capabilitiesTtlMs: 0 });
  });
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));
  beforeEach(() => {
    deletes = 0;
    routes = new Map<string, Handler>([
      ['/eSCL/ScannerCapabilities', xml(capabilitiesXml(CAPS))],
      ['/eSCL/ScannerStatus', xml(status())],
      ['POST /eSCL/ScanJobs', (_req, res) => res.writeHead(201, { location: 'http://elsewhere.invalid/eSCL/ScanJobs/j1' }).end()],
      ['/eSCL/ScanJobs/j1/ScanImageInfo', xml('<scan:ScanImageInfo xmlns:scan="http://schemas.hp.com/imaging/escl/2011/05/03"/>')],
      ['DELETE /eSCL/ScanJobs/j1', (_req, res) => res.writeHead(200).end()],
    ]);
  });

  const scan = async (s = FEEDER) => {
    const sink = recordingSink();
    const err = await rejection(driver.scan(DEVICE, s, sink, new AbortController().signal));
    return { sink, err: err as ScanbridgeError };
  };

  it('capabilities with a DTD (billion laughs, XXE) are refused as device-protocol-error', async () => {
    const laughs = `<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]><scan:ScannerCapabilities xmlns:scan="http://schemas.hp.com/imaging/escl/2011/05/03"><scan:MakeAndModel>&b;</scan:MakeAndModel></scan:ScannerCapabilities>`;
    routes.set('/eSCL/ScannerCapabilities', xml(laughs));
    const err = (await rejection(driver.capabilities(DEVICE))) as ScanbridgeError;
    assert.equal(err.code, 'device-protocol-error');
    assert.match(err.message, /^the scanner "Hostile" answered ScannerCapabilities with XML that is refused: the document has a document type declaration/);
    routes.set('/eSCL/ScannerCapabilities', xml(`<x>&xxe;</x>`));
    assert.match(((await rejection(driver.capabilities(DEVICE))) as Error).message, /the entity "&xxe;" is not one of XML's five predefined/);
  });

  it('oversized, malformed or foreign capabilities are refused; an unreachable scanner is device-gone', async () => {
    routes.set('/eSCL/ScannerCapabilities', xml(`<a>${'x'.repeat(300_000)}</a>`));
    const big = (await rejection(driver.capabilities(DEVICE))) as ScanbridgeError;
    assert.equal(big.code, 'device-protocol-error');
    assert.match(big.message, /answered more than the 262144 bytes allowed/);
    routes.set('/eSCL/ScannerCapabilities', xml('<scan:ScannerCapabilities xmlns:scan="http://schemas.hp.com/imaging/escl/2011/05/03"><unclosed>'));
    assert.equal(((await rejection(driver.capabilities(DEVICE))) as ScanbridgeError).code, 'device-protocol-error');
    routes.set('/eSCL/ScannerCapabilities', xml('<html><body>Printer home</body></html>'));
    assert.match(((await rejection(driver.capabilities(DEVICE))) as Error).message, /expected an eSCL ScannerCapabilities document, got <html>/);
    const gone = new EsclDriver({ directory: staticDirectory([listed('http://127.0.0.1:1/eSCL', 'Off', 'off')]) });
    const err = (await rejection(gone.capabilities('escl:off'))) as ScanbridgeError;
    assert.equal(err.code, 'device-gone');
    assert.match(err.message, /^the scanner "Off" cannot be reached at http:\/\/127\.0\.0\.1:1 \(ECONNREFUSED\)/);
  });

  it('a page that stalls mid-body: device-protocol-error, the pages before kept, the job deleted', async () => {
    routes.set('/eSCL/ScanJobs/j1/NextDocument', pagesThen(2, (_req, res) => {
      res.writeHead(200, { 'content-type': 'image/jpeg', 'content-length': jpeg.length });
      res.write(jpeg.subarray(0, 100));
      // and nothing more
    }));
    const { sink, err } = await scan();
    assert.equal(err.code, 'device-protocol-error');
    assert.match(err.message, /NextDocument on the scanner "Hostile" \(http:\/\/127\.0\.0\.1:\d+\) stopped sending its answer for 0\.3 s after 100 bytes/);
    assert.equal(sink.pages.length, 2);
    assert.ok(sink.pages.every((p) => p.bytes.equals(jpeg) && p.format === 'jpeg' && p.width === 197));
    assert.equal(deletes, 1);
  });

  it('a connection dropped mid-page: device-protocol-error, the page before kept', async () => {
    routes.set('/eSCL/ScanJobs/j1/NextDocument', pagesThen(1, (_req, res) => {
      res.writeHead(200, { 'content-type': 'image/jpeg', 'content-length': jpeg.length });
      res.write(jpeg.subarray(0, 200), () => res.socket?.destroy());
    }));
    const { sink, err } = await scan();
    assert.equal(err.code, 'device-protocol-error');
    assert.match(err.message, /was cut off after 200 (of \d+ )?bytes/);
    assert.equal(sink.pages.length, 1);
  });

  it('a stalled answer (no headers at all) is io-error after the answer timeout', async () => {
    routes.set('/eSCL/ScannerCapabilities', () => undefined);
    const err = (await rejection(driver.capabilities(DEVICE))) as ScanbridgeError;
    assert.equal(err.code, 'io-error');
    assert.match(err.message, /did not answer within 2 s/);
  });

  it('the feeder jams after two pages: paper-jam at page 3, two pages kept', async () => {
    routes.set('/eSCL/ScanJobs/j1/NextDocument', pagesThen(2, (_req, res) => {
      routes.set('/eSCL/ScannerStatus', xml(status('ScannerAdfJam')));
      res.writeHead(404).end();
    }));
    const { sink, err } = await scan();
    assert.equal(err.code, 'paper-jam');
    assert.equal(err.message, 'paper jam in the document feeder of escl:hostile at page 3 (ScannerAdfJam)');
    assert.equal(sink.pages.length, 2);
  });

  it('an empty feeder, an open hatch, a scanner that stays busy, and a 409', async () => {
    routes.set('/eSCL/ScanJobs/j1/NextDocument', (_req, res) => res.writeHead(404).end());
    routes.set('/eSCL/ScannerStatus', xml(status('ScannerAdfEmpty')));
    assert.equal((await scan()).err.code, 'feeder-empty');
    routes.set('/eSCL/ScannerStatus', xml(status('ScannerAdfHatchOpen')));
    assert.equal((await scan()).err.code, 'cover-open');

    let posts = 0;
    routes.set('POST /eSCL/ScanJobs', (_req, res) => {
      posts++;
      res.writeHead(503, { 'retry-after': '0' }).end();
    });
    const busy = await scan();
    assert.equal(busy.err.code, 'device-busy');
    assert.equal(posts, 3, 'one try and two retries');

    routes.set('POST /eSCL/ScanJobs', (_req, res) => res.writeHead(409).end('ColorMode not supported'));
    routes.set('/eSCL/ScannerStatus', xml(status('ScannerAdfLoaded', 'Processing')));
    assert.equal((await scan()).err.code, 'device-busy');
    routes.set('/eSCL/ScannerStatus', xml(status('ScannerAdfLoaded', 'Idle')));
    const refused = await scan();
    assert.equal(refused.err.code, 'invalid-settings');
    assert.match(refused.err.message, /refused the scan settings \(HTTP 409\): ColorMode not supported/);
  });

  it('a page that is not an image, or an oversized one, is device-protocol-error', async () => {
    routes.set('/eSCL/ScanJobs/j1/NextDocument', pagesThen(1, (_req, res) => res.writeHead(200, { 'content-type': 'text/html' }).end('<html>login</html>')));
    const html = await scan();
    assert.equal(html.err.code, 'device-protocol-error');
    assert.match(html.err.message, /page 2 from the scanner "Hostile" is not a usable image: it is text\/html, not JPEG or PNG/);
    assert.equal(html.sink.pages.length, 1);
    const small = new EsclDriver({ directory: staticDirectory([listed(`http://127.0.0.1:${(server.address() as AddressInfo).port}/eSCL`, 'Hostile', 'hostile')]), maxPageBytes: 100 });
    routes.set('/eSCL/ScanJobs/j1/NextDocument', pagesThen(1, (_req, res) => res.writeHead(404).end()));
    const err = (await rejection(small.scan(DEVICE, FEEDER, recordingSink(), new AbortController().signal))) as ScanbridgeError;
    assert.equal(err.code, 'device-protocol-error');
    assert.match(err.message, /more than the 100 bytes allowed/);
  });

  it('cancel while the scanner holds NextDocument: job-cancelled at once, the job deleted', async () => {
    routes.set('/eSCL/ScanJobs/j1/NextDocument', pagesThen(1, () => undefined));
    const controller = new AbortController();
    const sink = recordingSink(() => {
      setTimeout(() => controller.abort(new ScanbridgeError('job-cancelled', 'the job was cancelled')), 50);
    });
    const err = (await rejection(driver.scan(DEVICE, FEEDER, sink, controller.signal))) as ScanbridgeError;
    assert.equal(err.code, 'job-cancelled');
    assert.equal(sink.pages.length, 1);
    assert.equal(deletes, 1);
  });
});
