/**
 * Image URLs carry an expiry and a signature because an <img> cannot send the
 * token header: HMAC-SHA256 keyed with SHA-256(token), over
 * "<session>.<exp>", base64url (the service checks it in
 * security/image-signature.ts). It depends only on the session and the
 * expiry, so it is computed once (Web Crypto is asynchronous) and every image
 * URL reuses it until it is half-way to expiring.
 */
import { ScanbridgeError } from '@scanbridge/protocol/core';

/** The service refuses more than 24 h; 12 h leaves a day-long session two renewals. */
export const SIGNATURE_SECONDS = 12 * 3600;

export interface ImageSignature {
  /** Unix seconds after which the service refuses the URL. */
  exp: number;
  sig: string;
}

function base64url(bytes: ArrayBuffer): string {
  let binary = '';
  for (const byte of new Uint8Array(bytes)) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

export async function signImages(token: string, session: string, nowSeconds = Math.floor(Date.now() / 1000)): Promise<ImageSignature> {
  const subtle = globalThis.crypto?.subtle;
  if (!subtle) {
    throw new ScanbridgeError('origin-not-allowed', 'this page is not a secure context (https://, or http://localhost / 127.0.0.1), so the browser gives it no Web Crypto to sign image URLs with');
  }
  const text = new TextEncoder();
  const keyBytes = await subtle.digest('SHA-256', text.encode(token));
  const key = await subtle.importKey('raw', keyBytes, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  const exp = nowSeconds + SIGNATURE_SECONDS;
  return { exp, sig: base64url(await subtle.sign('HMAC', key, text.encode(`${session}.${exp}`))) };
}

/** True once a signature has used up half of its life: time to sign again (the old one still works meanwhile). */
export function stale(signature: ImageSignature, nowSeconds = Math.floor(Date.now() / 1000)): boolean {
  return signature.exp - nowSeconds < SIGNATURE_SECONDS / 2;
}
