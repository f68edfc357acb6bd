/**
 * The SDK's methods cannot drift from the protocol: a type-level check that
 * every protocol method has its camelCase wrapper with the protocol's params
 * and (unwrapped) result, and the same at run time.
 */
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { METHOD_NAMES, type MethodName, type ParamsOf, type PageInfo } from '@scanbridge/protocol';
import { ScanbridgeClient } from './client.js';
import { unwrap, wrapperName, type Wrapper } from './method-wrappers.js';
import type { CallOptions } from './transport.js';

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
const expectTrue = <T extends true>(value: T): T => value;

// Every protocol method has a wrapper on the client (compile error otherwise).
type Missing = Exclude<Uncapitalize<MethodName>, keyof ScanbridgeClient>;
expectTrue<Equal<Missing, never>>(true);
// ...typed from the protocol: params in, unwrapped result out.
expectTrue<Equal<ScanbridgeClient['moveImage'], Wrapper<'MoveImage'>>>(true);
expectTrue<Equal<Parameters<ScanbridgeClient['moveImage']>[0], ParamsOf<'MoveImage'>>>(true);
expectTrue<Equal<Awaited<ReturnType<ScanbridgeClient['getImagesInfo']>>, PageInfo[]>>(true);
expectTrue<Equal<Awaited<ReturnType<ScanbridgeClient['getImageCount']>>, number>>(true);
expectTrue<Equal<Awaited<ReturnType<ScanbridgeClient['versionInfo']>>, [string, string, string]>>(true);
// Methods whose params can all be left out take them optionally; the others require them.
expectTrue<Equal<Parameters<ScanbridgeClient['getImageCount']>[0], ParamsOf<'GetImageCount'> | undefined>>(true);
expectTrue<Equal<Parameters<ScanbridgeClient['getCapabilities']>['length'], 1 | 2>>(true);
// Every call takes an AbortSignal in its options.
expectTrue<Equal<Parameters<ScanbridgeClient['getCapabilities']>[1], CallOptions | undefined>>(true);

it('defines one wrapper per protocol method on the prototype', () => {
  for (const method of METHOD_NAMES) {
    const name = wrapperName(method);
    assert.equal(name, method[0]!.toLowerCase() + method.slice(1));
    assert.equal(typeof Object.getOwnPropertyDescriptor(ScanbridgeClient.prototype, name)?.value, 'function', name);
  }
});

it('unwraps one-element results only', () => {
  assert.equal(unwrap([3] as [number]), 3);
  assert.deepEqual(unwrap(['a', 'b', 'c'] as [string, string, string]), ['a', 'b', 'c']);
});
