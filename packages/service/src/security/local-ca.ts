/**
 * The machine's own certificate authority and the server certificate it signs.
 *
 * Why a CA and not a self-signed server certificate: browsers accept a
 * self-signed leaf only where a store can say "trust this peer" (Chromium's
 * NSS "P,,"); as an anchor ("C,,") Chromium refuses it because it is not a CA,
 * and the system stores only hold CAs. A CA is the anchor every store
 * understands, and it outlives the server certificate, so renewing that one
 * does not touch the stores. The CA is name-constrained to exactly the
 * loopback names the service answers to, so its key, kept 0600 beside the
 * server key, can sign nothing the server key could not already impersonate:
 * OpenSSL (certificate.test.ts) and Chromium (trust/chromium-trust.test.ts)
 * refuse a certificate under it that names anything else.
 *
 * @peculiar/x509 rather than selfsigned: selfsigned drops extensions it does
 * not know, and nameConstraints is one of them.
 */
import { randomBytes, webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';
import { GeneralName, GeneralSubtree, GeneralSubtrees, NameConstraints, id_ce_nameConstraints } from '@peculiar/asn1-x509';
import { AsnConvert } from '@peculiar/asn1-schema';

x509.cryptoProvider.set(webcrypto);

const LOOPBACK_DNS = ['localhost'] as const;
const LOOPBACK_IPS = ['127.0.0.1', '::1'] as const;

const ALGORITHM = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
const DAY_MS = 24 * 3600 * 1000;
/** Ten years: the CA is what the stores trust, replacing it means asking them again. */
const AUTHORITY_DAYS = 3650;
/** 397 days: the longest validity browsers accept for a server certificate. */
const SERVER_DAYS = 397;

export interface KeyAndCertificate {
  /** PKCS#8 PEM. */
  key: string;
  /** One certificate, PEM. */
  cert: string;
}

function serialNumber(): string {
  // Positive (high bit clear) and unique: stores reject two certificates with the same issuer and serial.
  const bytes = randomBytes(16);
  bytes[0] = bytes[0]! & 0x7f;
  return bytes.toString('hex');
}

function validity(days: number): { notBefore: Date; notAfter: Date } {
  // A minute of slack for clocks that disagree by a little.
  const notBefore = new Date(Date.now() - 60_000);
  return { notBefore, notAfter: new Date(notBefore.getTime() + days * DAY_MS) };
}

async function newKeys(): Promise<webcrypto.CryptoKeyPair> {
  return webcrypto.subtle.generateKey(ALGORITHM, true, ['sign', 'verify']);
}

async function keyPem(key: webcrypto.CryptoKey): Promise<string> {
  return `${x509.PemConverter.encode(await webcrypto.subtle.exportKey('pkcs8', key), 'PRIVATE KEY').trim()}\n`;
}

function loopbackConstraints(): x509.Extension {
  const subtrees = [
    ...LOOPBACK_DNS.map((dNSName) => new GeneralSubtree({ base: new GeneralName({ dNSName }) })),
    ...LOOPBACK_IPS.map((ip) => new GeneralSubtree({ base: new GeneralName({ iPAddress: `${ip}/${ip.includes(':') ? 128 : 32}` }) })),
  ];
  return new x509.Extension(id_ce_nameConstraints, true, AsnConvert.serialize(new NameConstraints({ permittedSubtrees: new GeneralSubtrees(subtrees) })));
}

/**
 * A new CA. Its name carries a random id: NSS files every certificate of one
 * subject under one nickname, so two CAs (two service folders, or a renewed
 * one) must not share a subject.
 */
export async function createAuthority(): Promise<KeyAndCertificate> {
  const keys = await newKeys();
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serialNumber(),
    name: `CN=scanbridge local CA ${randomBytes(4).toString('hex')}, O=scanbridge`,
    ...validity(AUTHORITY_DAYS),
    keys,
    signingAlgorithm: ALGORITHM,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      loopbackConstraints(),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  return { key: await keyPem(keys.privateKey), cert: `${cert.toString('pem').trim()}\n` };
}

/** The server certificate for the loopback names, signed by `authority`. */
export async function issueServerCertificate(authority: KeyAndCertificate): Promise<KeyAndCertificate> {
  const ca = new x509.X509Certificate(authority.cert);
  const caKey = await webcrypto.subtle.importKey('pkcs8', x509.PemConverter.decodeFirst(authority.key), ALGORITHM, false, ['sign']);
  const keys = await newKeys();
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: serialNumber(),
    subject: 'CN=scanbridge local service, O=scanbridge',
    issuer: ca.subject,
    ...validity(SERVER_DAYS),
    publicKey: keys.publicKey,
    signingKey: caKey,
    signingAlgorithm: ALGORITHM,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
      new x509.SubjectAlternativeNameExtension([
        ...LOOPBACK_DNS.map((value) => ({ type: 'dns' as const, value })),
        ...LOOPBACK_IPS.map((value) => ({ type: 'ip' as const, value })),
      ]),
      await x509.AuthorityKeyIdentifierExtension.create(ca, false),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  return { key: await keyPem(keys.privateKey), cert: `${cert.toString('pem').trim()}\n` };
}
