/**
 * The handler contract: one handler per protocol method, params arriving
 * validated and typed from @scanbridge/protocol. The mapped type makes a
 * missing or mistyped handler a compile error.
 */
import type { METHODS, MethodName, ParsedParamsOf, ResultOf } from '@scanbridge/protocol';
import type { Session } from '../../buffer/session-manager.js';
import type { ServiceContext } from '../context.js';
import type { CallSource } from '../rpc.js';

type SessionMethod = { [M in MethodName]: (typeof METHODS)[M]['session'] extends true ? M : never }[MethodName];

export interface Call<M extends MethodName> {
  ctx: ServiceContext;
  session: M extends SessionMethod ? Session : null;
  params: ParsedParamsOf<M>;
  source: CallSource;
}

export type DomainHandlers<K extends MethodName> = { [M in K]: (call: Call<M>) => Promise<ResultOf<M>> | ResultOf<M> };
