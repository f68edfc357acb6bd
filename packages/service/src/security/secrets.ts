/** Random tokens and their stored form: only SHA-256 hashes are kept on disk. */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** 256 bits, base64url: far above the 128 bits the threat model asks for. */
export function newToken(): string {
  return randomBytes(32).toString('base64url');
}

export function tokenHash(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

export function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
