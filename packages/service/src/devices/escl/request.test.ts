/**
 * Requests to network scanners: certificate pinning against real TLS servers
 * with self-signed certificates made by openssl, timeouts, size bounds,
 * dropped connections, and an unreachable scanner beside a working one.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import http from 'node:http';
import https from 'node:https';
import type net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { ScanbridgeError, type ErrorCode } from '@scanbridge/protocol';
import { CertificatePins } from './certificate-pins.js';
import { EsclScannerDirectory } from './discovery.js';
import { esclRequest } from './request.js';

const run = promisify(execFile);
let dir: string;

/** A self-signed certificate and its SHA-256 fingerprint, both from openssl. */
async function selfSigned(name: string): Promise<{ key: string; cert: string; fingerprint: string }> {
  const key = path.join(dir, `${name}.key`);
  const cert = path.join(dir, `${name}.crt`);
  await run('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-subj', `/CN=${name}`, '-days', '2', '-keyout', key, '-out', cert]);
  const { stdout } = await run('openssl', ['x509', '-in', cert, '-noout', '-fingerprint', '-sha256']);
  return { key: await readFile(key, 'utf8'), cert: await readFile(cert, 'utf8'), fingerprint: stdout.trim().split('=')[1]! };
}

function listen(server: net.Server, port = 0): Promise<number> {
  return new Promise((resolve) => server.listen(port, '127.0.0.1', () => resolve((server.address() as net.AddressInfo).port)));
}
const close = (server: net.Server) => new Promise<void>((resolve) => server.close(() => resolve()));

/** Asserts a typed error and answers its message. */
async function failsWith(promise: Promise<unknown>, code: ErrorCode): Promise<ScanbridgeError> {
  let caught: unknown;
  await promise.catch((err: unknown) => (caught = err));
  assert.ok(caught instanceof ScanbridgeError, `expected ScanbridgeError ${code}, got ${String(caught)}`);
  assert.equal(caught.code, code, caught.message);
  return caught;
}

before(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'sb-escl-req-'));
});
after(() => rm(dir, { recursive: true, force: true }));

describe('HTTPS scanners: the certificate is pinned on first use', () => {
  it('pins the first certificate, refuses another naming both fingerprints before sending anything, and takes a new one once unpinned', async () => {
    const [first, second] = await Promise.all([selfSigned('scanner-one'), selfSigned('scanner-two')]);
    const pins = new CertificatePins(path.join(dir, 'escl-pins.json'));
    let requests = 0;
    const handler: http.RequestListener = (_req, res) => {
      requests++;
      res.end('<scan:ScannerStatus/>');
    };
    const one = https.createServer({ key: first.key, cert: first.cert }, handler);
    const port = await listen(one);
    const device = { url: `https://127.0.0.1:${port}/eSCL`, name: 'Office MFP', uuid: '6A7B0000-0000-4000-8000-000000000001' };

    const answer = await esclRequest(device, 'ScannerStatus', { pins });
    assert.equal(answer.status, 200);
    assert.equal(answer.body.toString(), '<scan:ScannerStatus/>');
    const stored = JSON.parse(await readFile(pins.file, 'utf8')) as Record<string, { fingerprint: string }>;
    assert.deepEqual(Object.keys(stored), ['uuid:6a7b0000-0000-4000-8000-000000000001']);
    assert.equal(stored['uuid:6a7b0000-0000-4000-8000-000000000001']!.fingerprint, first.fingerprint);
    assert.equal((await esclRequest(device, 'ScannerStatus', { pins })).status, 200, 'the same certificate again is fine');
    await close(one);

    const two = https.createServer({ key: second.key, cert: second.cert }, handler);
    await listen(two, port);
    const before = requests;
    const err = await failsWith(esclRequest(device, 'ScanJobs', { method: 'POST', body: '<scan:ScanSettings/>', pins }), 'device-certificate-changed');
    assert.ok(err.message.startsWith(`the TLS certificate of Office MFP (${device.url}) changed: pinned SHA-256 ${first.fingerprint}`), err.message);
    assert.ok(err.message.includes(`now presented SHA-256 ${second.fingerprint}`), err.message);
    assert.ok(err.message.includes(`scanbridge devices unpin ${device.url}`), err.message);
    assert.deepEqual(err.details, { device: device.url, pinned: first.fingerprint, presented: second.fingerprint });
    assert.equal(requests, before, 'nothing was sent to the impostor');

    assert.deepEqual(await pins.remove(`https://127.0.0.1:${port}`), ['uuid:6a7b0000-0000-4000-8000-000000000001']);
    assert.equal((await esclRequest(device, 'ScannerStatus', { pins })).status, 200);
    const repinned = JSON.parse(await readFile(pins.file, 'utf8')) as Record<string, { fingerprint: string }>;
    assert.equal(repinned['uuid:6a7b0000-0000-4000-8000-000000000001']!.fingerprint, second.fingerprint);
    await close(two);
  });

  it('keys a scanner without uuid by host and port', async () => {
    const cert = await selfSigned('no-uuid');
    const pins = new CertificatePins(path.join(dir, 'pins-host.json'));
    const server = https.createServer({ key: cert.key, cert: cert.cert }, (_req, res) => res.end('ok'));
    const port = await listen(server);
    await esclRequest({ url: `https://127.0.0.1:${port}/eSCL`, name: 'Listed' }, 'ScannerCapabilities', { pins });
    assert.deepEqual(Object.keys(await pins.all()), [`host:127.0.0.1:${port}`]);
    await close(server);
  });
});

describe('plain HTTP scanners and bad transports', () => {
  const servers: net.Server[] = [];
  const serve = async (handler: http.RequestListener) => {
    const server = http.createServer(handler);
    servers.push(server);
    return `http://127.0.0.1:${await listen(server)}/eSCL`;
  };
  after(async () => {
    for (const s of servers) (s as http.Server).closeAllConnections();
    await Promise.all(servers.map(close));
  });

  it('answers any HTTP status as it is, with the headers (503 and Retry-After are the driver\'s)', async () => {
    const url = await serve((req, res) => {
      res.writeHead(503, { 'retry-after': '2' });
      res.end(req.url);
    });
    const answer = await esclRequest({ url, name: 'Busy' }, 'ScanJobs', { method: 'POST', body: 'x' });
    assert.equal(answer.status, 503);
    assert.equal(answer.headers['retry-after'], '2');
    assert.equal(answer.body.toString(), '/eSCL/ScanJobs');
  });

  it('follows a Location on the same host and refuses one elsewhere', async () => {
    const url = await serve((req, res) => res.end(req.url));
    const device = { url, name: 'MFP' };
    const origin = new URL(url).origin;
    assert.equal((await esclRequest(device, `${origin}/eSCL/ScanJobs/7/NextDocument`)).body.toString(), '/eSCL/ScanJobs/7/NextDocument');
    assert.equal((await esclRequest(device, '/eSCL/ScanJobs/7')).body.toString(), '/eSCL/ScanJobs/7');
    const err = await failsWith(esclRequest(device, 'http://192.0.2.1/eSCL/ScanJobs/7/NextDocument'), 'io-error');
    assert.equal(err.message, `MFP (${url}) pointed to http://192.0.2.1, another host than its own; refused`);
  });

  it('ends a request the scanner stalls in the middle of, with io-error', async () => {
    const url = await serve((_req, res) => {
      res.writeHead(200, { 'content-length': '1000' });
      res.write('<?xml version="1.0"?><scan:ScannerCapabilities');
      // ...and nothing more.
    });
    const err = await failsWith(esclRequest({ url, name: 'Staller' }, 'ScannerCapabilities', { readTimeoutMs: 300 }), 'io-error');
    assert.equal(err.message, `Staller (${url}) stopped answering: nothing for 0.3 s during GET /eSCL/ScannerCapabilities`);
  });

  it('reports a connection dropped mid-document', async () => {
    const url = await serve((_req, res) => {
      res.writeHead(200, { 'content-length': '100000', 'content-type': 'image/jpeg' });
      res.write(Buffer.alloc(5000, 0xff), () => res.socket?.destroy());
    });
    const err = await failsWith(esclRequest({ url, name: 'Dropper' }, 'ScanJobs/1/NextDocument'), 'io-error');
    assert.match(err.message, /^Dropper \(.*\) dropped the connection in the middle of its answer to GET \/eSCL\/ScanJobs\/1\/NextDocument/);
  });

  it('refuses an answer larger than the bound, declared or not', async () => {
    const declared = await serve((_req, res) => {
      res.writeHead(200, { 'content-length': String(4096) });
      res.end(Buffer.alloc(4096));
    });
    const chunked = await serve((_req, res) => {
      for (let i = 0; i < 8; i++) res.write(Buffer.alloc(1024));
      res.end();
    });
    for (const url of [declared, chunked]) {
      const err = await failsWith(esclRequest({ url, name: 'Big' }, 'ScannerCapabilities', { maxBytes: 2048 }), 'io-error');
      assert.equal(err.message, `Big (${url}) answered more than 2048 bytes to GET /eSCL/ScannerCapabilities; refused`);
    }
  });

  it('stops at once when the job is cancelled', async () => {
    const url = await serve(() => undefined);
    const controller = new AbortController();
    const pending = esclRequest({ url, name: 'Slow' }, 'ScanJobs/1/NextDocument', { signal: controller.signal });
    setTimeout(() => controller.abort(), 50);
    await failsWith(pending, 'job-cancelled');
  });

  it('lists an unreachable listed scanner beside a working one; only its own requests fail, after bounded retries', async () => {
    const working = await serve((_req, res) => res.end('<scan:ScannerStatus/>'));
    const gone = http.createServer();
    const gonePort = await listen(gone);
    await close(gone);
    const unreachable = `http://127.0.0.1:${gonePort}/eSCL`;
    const directory = await EsclScannerDirectory.open({ discovery: false, listed: [unreachable, working], userFile: path.join(dir, 'none.json') });
    assert.deepEqual(directory.endpoints().map((e) => e.url), [unreachable, working]);
    const [a, b] = (await Promise.allSettled(directory.endpoints().map((e) => esclRequest(e, 'ScannerStatus')))) as [PromiseSettledResult<unknown>, PromiseSettledResult<unknown>];
    assert.equal(a.status, 'rejected');
    const err = (a as PromiseRejectedResult).reason as ScanbridgeError;
    assert.equal(err.code, 'device-gone');
    assert.equal(err.message, `127.0.0.1:${gonePort} (${unreachable}) does not answer: connect ECONNREFUSED 127.0.0.1:${gonePort} (tried 3 times)`);
    assert.equal(b.status, 'fulfilled');
    assert.equal((b as PromiseFulfilledResult<{ status: number }>).value.status, 200);
    await directory.close();
  });
});
