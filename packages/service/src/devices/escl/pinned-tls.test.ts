/**
 * HTTPS scanners with self-signed certificates (made by openssl, which also
 * computes the fingerprints): pinned on first use through plain
 * `https.request` options, as the eSCL driver's request function passes them.
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
import { ScanbridgeError } from '@scanbridge/protocol';
import { CertificatePins } from './certificate-pins.js';
import type { EsclEndpoint } from './endpoints.js';
import { pinnedTlsOptions } from './pinned-tls.js';

const run = promisify(execFile);
let dir: string;

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

/** A request the way the eSCL driver makes one: https.request(url, options-with-the-TLS-part). */
function get(endpoint: EsclEndpoint, pins: CertificatePins, method = 'GET', body?: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = https.request(new URL(`${endpoint.url}/ScannerStatus`), { method, ...pinnedTlsOptions(pins)(endpoint) }, (res) => {
      let text = '';
      res.on('data', (d: Buffer) => (text += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

async function rejection(promise: Promise<unknown>): Promise<ScanbridgeError> {
  const err = await promise.then(() => null, (e: unknown) => e);
  assert.ok(err instanceof ScanbridgeError, `expected a ScanbridgeError, got ${String(err)}`);
  return err;
}

before(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'sb-escl-pin-'));
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
    const endpoint: EsclEndpoint = { url: `https://127.0.0.1:${port}/eSCL`, name: 'Office MFP', uuid: '6A7B0000-0000-4000-8000-000000000001', source: 'mdns', txt: {} };

    assert.deepEqual(await get(endpoint, pins), { status: 200, body: '<scan:ScannerStatus/>' });
    const stored = JSON.parse(await readFile(pins.file, 'utf8')) as Record<string, { fingerprint: string; url: string; name: string }>;
    assert.deepEqual(Object.keys(stored), ['uuid:6a7b0000-0000-4000-8000-000000000001']);
    assert.equal(stored['uuid:6a7b0000-0000-4000-8000-000000000001']!.fingerprint, first.fingerprint);
    assert.equal((await get(endpoint, pins)).status, 200, 'the same certificate again is fine');
    one.closeAllConnections();
    await close(one);

    const two = https.createServer({ key: second.key, cert: second.cert }, handler);
    await listen(two, port);
    const before = requests;
    const err = await rejection(get(endpoint, pins, 'POST', '<scan:ScanSettings/>'));
    assert.equal(err.code, 'device-certificate-changed');
    assert.ok(err.message.startsWith(`the TLS certificate of Office MFP (${endpoint.url}) changed: pinned SHA-256 ${first.fingerprint}`), err.message);
    assert.ok(err.message.includes(`now presented SHA-256 ${second.fingerprint}`), err.message);
    assert.ok(err.message.includes(`scanbridge devices unpin ${endpoint.url}`), err.message);
    assert.deepEqual(err.details, { device: endpoint.url, pinned: first.fingerprint, presented: second.fingerprint });
    assert.equal(requests, before, 'nothing was sent to the impostor');

    assert.deepEqual(await pins.remove(`https://127.0.0.1:${port}`), ['uuid:6a7b0000-0000-4000-8000-000000000001']);
    assert.equal((await get(endpoint, pins)).status, 200);
    const repinned = JSON.parse(await readFile(pins.file, 'utf8')) as Record<string, { fingerprint: string }>;
    assert.equal(repinned['uuid:6a7b0000-0000-4000-8000-000000000001']!.fingerprint, second.fingerprint);
    two.closeAllConnections();
    await close(two);
  });

  it('keys a scanner without uuid by host and port', async () => {
    const cert = await selfSigned('no-uuid');
    const pins = new CertificatePins(path.join(dir, 'pins-host.json'));
    const server = https.createServer({ key: cert.key, cert: cert.cert }, (_req, res) => res.end('ok'));
    const port = await listen(server);
    await get({ url: `https://127.0.0.1:${port}/eSCL`, name: 'Listed', source: 'config', txt: {} }, pins);
    assert.deepEqual(Object.keys(await pins.all()), [`host:127.0.0.1:${port}`]);
    server.closeAllConnections();
    await close(server);
  });

  it('an unreachable scanner is device-gone naming it, not a pin', async () => {
    const gone = http.createServer();
    const port = await listen(gone);
    await close(gone);
    const pins = new CertificatePins(path.join(dir, 'pins-gone.json'));
    const err = await rejection(get({ url: `https://127.0.0.1:${port}/eSCL`, name: 'Switched off', source: 'user', txt: {} }, pins));
    assert.equal(err.code, 'device-gone');
    assert.equal(err.message, `Switched off (https://127.0.0.1:${port}/eSCL) cannot be reached (ECONNREFUSED): connect ECONNREFUSED 127.0.0.1:${port}`);
    assert.deepEqual(await pins.all(), {});
  });
});
