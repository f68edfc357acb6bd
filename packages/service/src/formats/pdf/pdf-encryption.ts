/**
 * PDF password protection with AES-256 (ISO 32000-2 standard security
 * handler, revision 6: V 5, AESV3). Written with node:crypto because no
 * maintained npm PDF writer encrypts (pdf-lib has no encryption at all) and
 * revision 6 is a page of code: a random file key, the key wrapped under the
 * user and owner passwords (hash of Algorithm 2.B), and every string and
 * stream AES-256-CBC encrypted with a random IV in front.
 */
import { createCipheriv, createHash, randomBytes } from 'node:crypto';

export interface PdfEncryption {
  /** The /Encrypt dictionary's values, as PDF source. */
  readonly dictionary: string;
  /** Encrypts a string's or stream's bytes: IV followed by AES-256-CBC with PKCS#7 padding. */
  encrypt(data: Uint8Array): Buffer;
}

/** All permissions (bits 1-2 are 0 by definition, reserved high bits 1): the password guards reading, not printing. */
const PERMISSIONS = -4;

/**
 * SASLprep (RFC 4013) as revision 6 asks, approximated by NFKC which it is
 * built on, then UTF-8 cut to 127 bytes.
 */
function preparePassword(password: string): Buffer {
  const bytes = Buffer.from(password.normalize('NFKC'), 'utf8');
  return bytes.subarray(0, 127);
}

/** Algorithm 2.B: the revision 6 hash. `userKey` is the 48-byte U value for owner hashes, empty for user hashes. */
function hashR6(password: Buffer, salt: Buffer, userKey: Buffer = Buffer.alloc(0)): Buffer {
  let k = createHash('sha256').update(password).update(salt).update(userKey).digest();
  for (let round = 0; ; round++) {
    const k1 = Buffer.concat(new Array<Buffer>(64).fill(Buffer.concat([password, k, userKey])));
    const cipher = createCipheriv('aes-128-cbc', k.subarray(0, 16), k.subarray(16, 32));
    cipher.setAutoPadding(false);
    const e = Buffer.concat([cipher.update(k1), cipher.final()]);
    let sum = 0;
    for (let i = 0; i < 16; i++) sum += e[i]!;
    k = createHash(['sha256', 'sha384', 'sha512'][sum % 3]!).update(e).digest();
    if (round >= 63 && e[e.length - 1]! <= round + 1 - 32) break;
  }
  return k.subarray(0, 32);
}

function aes256NoPad(key: Buffer, data: Buffer, mode: 'cbc' | 'ecb'): Buffer {
  const cipher = mode === 'cbc' ? createCipheriv('aes-256-cbc', key, Buffer.alloc(16)) : createCipheriv('aes-256-ecb', key, null);
  cipher.setAutoPadding(false);
  return Buffer.concat([cipher.update(data), cipher.final()]);
}

const hex = (b: Buffer) => `<${b.toString('hex')}>`;

export function createEncryption(userPassword: string, ownerPassword: string = userPassword): PdfEncryption {
  const fileKey = randomBytes(32);
  const user = preparePassword(userPassword);
  const owner = preparePassword(ownerPassword);

  const uValidation = randomBytes(8);
  const uKeySalt = randomBytes(8);
  const u = Buffer.concat([hashR6(user, uValidation), uValidation, uKeySalt]);
  const ue = aes256NoPad(hashR6(user, uKeySalt), fileKey, 'cbc');

  const oValidation = randomBytes(8);
  const oKeySalt = randomBytes(8);
  const o = Buffer.concat([hashR6(owner, oValidation, u), oValidation, oKeySalt]);
  const oe = aes256NoPad(hashR6(owner, oKeySalt, u), fileKey, 'cbc');

  const perms = Buffer.alloc(16);
  perms.writeInt32LE(PERMISSIONS, 0);
  perms.fill(0xff, 4, 8);
  perms.write('Tadb', 8, 'latin1'); // T: metadata is encrypted too
  randomBytes(4).copy(perms, 12);

  const dictionary =
    `<< /Filter /Standard /V 5 /R 6 /Length 256 /CF << /StdCF << /AuthEvent /DocOpen /CFM /AESV3 /Length 32 >> >> /StmF /StdCF /StrF /StdCF ` +
    `/O ${hex(o)} /U ${hex(u)} /OE ${hex(oe)} /UE ${hex(ue)} /Perms ${hex(aes256NoPad(fileKey, perms, 'ecb'))} /P ${PERMISSIONS} /EncryptMetadata true >>`;

  return {
    dictionary,
    encrypt(data) {
      const iv = randomBytes(16);
      const cipher = createCipheriv('aes-256-cbc', fileKey, iv);
      return Buffer.concat([iv, cipher.update(data), cipher.final()]);
    },
  };
}
