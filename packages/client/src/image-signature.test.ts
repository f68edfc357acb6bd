/** The SDK's Web Crypto signature is the one the service checks (computed there with node:crypto). */
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { checkImageSignature, imageSignature } from '@scanbridge/service/dist/security/image-signature.js';
import { tokenHash } from '@scanbridge/service/dist/security/secrets.js';
import { SIGNATURE_SECONDS, signImages, stale } from './image-signature.js';

it('signs "<session>.<exp>" with HMAC-SHA256 keyed by SHA-256(token), as the service does', async () => {
  const token = 'k3Y-example_token';
  const now = 1_800_000_000;
  const signature = await signImages(token, 'a'.repeat(32), now);
  assert.equal(signature.exp, now + SIGNATURE_SECONDS);
  assert.equal(signature.sig, imageSignature(tokenHash(token), 'a'.repeat(32), signature.exp));
  assert.equal(checkImageSignature([tokenHash(token)], 'a'.repeat(32), signature.exp, signature.sig, now), 'ok');
  assert.equal(checkImageSignature([tokenHash(token)], 'b'.repeat(32), signature.exp, signature.sig, now), 'invalid');
});

it('is renewed once half of its life is used up', () => {
  const now = 1_800_000_000;
  assert.equal(stale({ exp: now + SIGNATURE_SECONDS, sig: '' }, now), false);
  assert.equal(stale({ exp: now + SIGNATURE_SECONDS, sig: '' }, now + SIGNATURE_SECONDS / 2 + 1), true);
});
