/**
 * The TLS part of every request to an HTTPS network scanner: scanners sign
 * their own certificates, so the chain is not checked against an authority;
 * instead the certificate is pinned on first use (certificate-pins.ts) and
 * checked on every connection, before a byte of the request is sent.
 *
 * It plugs into any `https.request` as its options (the eSCL driver's
 * request function takes them from `EsclTransport.tlsOptions`): the
 * connection is made here and handed over only once its certificate is
 * known to be the pinned one. A changed certificate fails the request with
 * device-certificate-changed naming the scanner and both fingerprints.
 */
import type https from 'node:https';
import type net from 'node:net';
import { isIP } from 'node:net';
import tls from 'node:tls';
import { ScanbridgeError } from '@scanbridge/protocol/core';
import type { CertificatePins } from './certificate-pins.js';
import type { EsclEndpoint } from './endpoints.js';

/** What identifies the scanner in the pin file and in messages. */
type Device = Pick<EsclEndpoint, 'url' | 'name' | 'uuid'>;

/** TCP connect plus handshake; a scanner on the LAN answers in milliseconds. */
const CONNECT_TIMEOUT_MS = 10_000;

function changed(device: Device, pinned: { fingerprint: string; pinnedAt: string }, presented: string): ScanbridgeError {
  return new ScanbridgeError(
    'device-certificate-changed',
    `the TLS certificate of ${device.name} (${device.url}) changed: pinned SHA-256 ${pinned.fingerprint} (first seen ${pinned.pinnedAt.slice(0, 10)}), now presented SHA-256 ${presented}. ` +
      `Someone may be impersonating the scanner; if it was reset or got a new certificate, run \`scanbridge devices unpin ${device.url}\` and connect again`,
    { device: device.url, pinned: pinned.fingerprint, presented },
  );
}

/** A TLS connection to the scanner whose certificate is the pinned one (pinned now when it has none). */
export function connectPinned(device: Device, host: string, port: number, pins: CertificatePins, timeoutMs = CONNECT_TIMEOUT_MS): Promise<tls.TLSSocket> {
  return new Promise((resolve, reject) => {
    const socket = tls.connect({ host, port, ...(isIP(host) ? {} : { servername: host }), rejectUnauthorized: false, ALPNProtocols: ['http/1.1'] });
    const fail = (err: Error) => {
      clearTimeout(timer);
      socket.destroy();
      reject(err);
    };
    const timer = setTimeout(() => fail(new ScanbridgeError('device-gone', `${device.name} (${device.url}) made no TLS connection within ${timeoutMs / 1000} s`)), timeoutMs);
    socket.once('error', (err: NodeJS.ErrnoException) =>
      fail(new ScanbridgeError('device-gone', `${device.name} (${device.url}) cannot be reached${err.code ? ` (${err.code})` : ''}: ${err.message}`)),
    );
    socket.once('secureConnect', () => {
      clearTimeout(timer);
      const presented = socket.getPeerCertificate()?.fingerprint256;
      if (!presented) return fail(new ScanbridgeError('io-error', `${device.name} (${device.url}) presented no TLS certificate`));
      pins.check(device, presented).then(
        (result) => {
          if (result.state === 'changed') return fail(changed(device, result.pinned, presented));
          socket.removeAllListeners('error');
          resolve(socket);
        },
        (err: Error) => fail(err),
      );
    });
  });
}

/**
 * Options for `https.request` to this scanner: the connection comes from
 * connectPinned (Node's http client takes a socket handed to the callback of
 * `createConnection`; no agent is used, so nothing bypasses the check).
 */
export function pinnedTlsOptions(pins: CertificatePins): (endpoint: EsclEndpoint) => https.RequestOptions {
  return (endpoint) => ({
    createConnection: ((options: https.RequestOptions, done: (err: Error | null, socket?: net.Socket) => void) => {
      const host = String(options.hostname ?? options.host ?? new URL(endpoint.url).hostname).replace(/^\[|\]$/g, '');
      const port = Number(options.port) || 443;
      connectPinned(endpoint, host, port, pins).then((socket) => done(null, socket), (err: Error) => done(err));
      return undefined;
    }) as unknown as https.RequestOptions['createConnection'],
  });
}
