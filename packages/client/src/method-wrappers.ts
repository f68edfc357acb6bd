/**
 * One camelCase method per protocol method, derived at run time from
 * METHOD_TABLE (generated from METHODS) and typed from METHODS, so a method added to @scanbridge/protocol appears in the
 * SDK without a line here (a type-level test checks that none is missing).
 * `getImageCount()` answers the number itself: one-element result tuples are
 * unwrapped; longer ones (VersionInfo) stay tuples.
 */
import { METHOD_TABLE } from '@scanbridge/protocol/core';
import type { MethodName, ParamsOf, ResultOf } from '@scanbridge/protocol';
import type { CallOptions } from './transport.js';

/** A one-element result tuple is unwrapped. */
export type Unwrapped<R> = R extends readonly [infer Only] ? Only : R;

export type WrapperName<M extends MethodName> = Uncapitalize<M>;

/** Methods whose params may all be left out take them optionally; `options.signal` cancels the call. */
export type Wrapper<M extends MethodName> = {} extends ParamsOf<M>
  ? (params?: ParamsOf<M>, options?: CallOptions) => Promise<Unwrapped<ResultOf<M>>>
  : (params: ParamsOf<M>, options?: CallOptions) => Promise<Unwrapped<ResultOf<M>>>;

export type MethodWrappers = { [M in MethodName as WrapperName<M>]: Wrapper<M> };

export function wrapperName<M extends MethodName>(method: M): WrapperName<M> {
  return (method.charAt(0).toLowerCase() + method.slice(1)) as WrapperName<M>;
}

export function unwrap<R extends readonly unknown[]>(result: R): Unwrapped<R> {
  return (result.length === 1 ? result[0] : result) as Unwrapped<R>;
}

interface Caller {
  call<M extends MethodName>(method: M, params?: ParamsOf<M>, options?: CallOptions): Promise<ResultOf<M>>;
}

/** Define every wrapper on `prototype` (a class whose instances implement call()). */
export function defineWrappers(prototype: Caller): void {
  for (const method of Object.keys(METHOD_TABLE) as MethodName[]) {
    Object.defineProperty(prototype, wrapperName(method), {
      configurable: true,
      writable: true,
      value: async function (this: Caller, params?: ParamsOf<typeof method>, options?: CallOptions) {
        return unwrap(await this.call(method, params, options));
      },
    });
  }
}
