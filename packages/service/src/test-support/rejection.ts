/** Await a promise that must reject with a ScanbridgeError, and answer that error for further checks. */
import assert from 'node:assert/strict';
import { ScanbridgeError } from '@scanbridge/protocol/core';

export async function rejection(promise: Promise<unknown>): Promise<ScanbridgeError> {
  try {
    await promise;
  } catch (err) {
    assert.ok(err instanceof ScanbridgeError, `expected a ScanbridgeError, got ${String(err)}`);
    return err as ScanbridgeError;
  }
  assert.fail('expected a rejection');
}
