/**
 * The wire between the service and its worker processes (one per open
 * device of a native driver). The envelope is generic; each kind of worker
 * declares its methods once as zod schemas (params, result, streamed
 * events), and both ends validate against them, as the service does for the
 * browser protocol.
 */
import { z } from '../util/zod-stack.js';

/** One method of a worker: what it takes, what it answers, what it streams meanwhile. */
export interface WorkerMethod<P extends z.ZodMiniType = z.ZodMiniType, R extends z.ZodMiniType = z.ZodMiniType, E extends z.ZodMiniType = z.ZodMiniType> {
  readonly params: P;
  readonly result: R;
  readonly event: E;
}

export type WorkerMethods = Record<string, WorkerMethod>;

export type ParamsOf<M extends WorkerMethods, K extends keyof M> = z.input<M[K]['params']>;
export type ResultOf<M extends WorkerMethods, K extends keyof M> = z.output<M[K]['result']>;
export type EventOf<M extends WorkerMethods, K extends keyof M> = z.output<M[K]['event']>;

/** Errors cross the boundary as data and are rebuilt as ScanbridgeError on the other side. */
export const WorkerError = z.object({
  code: z.string().check(z.minLength(1)),
  message: z.string(),
  stack: z.optional(z.string()),
  details: z.optional(z.record(z.string(), z.unknown())),
});
export type WorkerError = z.infer<typeof WorkerError>;

const CallId = z.number().check(z.int(), z.positive());

export const ToWorker = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('call'), id: CallId, method: z.string().check(z.minLength(1)), params: z.unknown() }),
  /** Abort a call (cancel a scan): its handler's AbortSignal fires. */
  z.strictObject({ type: z.literal('abort'), id: CallId }),
  /** The parent has handled an event sent with `seq` (back-pressure); `error` if its handler failed. */
  z.strictObject({ type: z.literal('ack'), id: CallId, seq: z.number().check(z.int(), z.positive()), error: z.optional(WorkerError) }),
  /** Finish what is open (close the device) and exit. */
  z.strictObject({ type: z.literal('stop') }),
  /** Are you still there? Sent while calls run; a worker whose event loop is stuck cannot answer. */
  z.strictObject({ type: z.literal('ping') }),
]);
export type ToWorker = z.infer<typeof ToWorker>;

export const FromWorker = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('ready'), pid: z.number().check(z.int(), z.positive()), info: z.unknown() }),
  /** The worker could not start (e.g. the native library is missing); it exits after sending this. */
  z.strictObject({ type: z.literal('startup-failed'), error: WorkerError }),
  /** An event of a running call; with `seq` the worker waits for an `ack`. */
  z.strictObject({ type: z.literal('event'), id: CallId, seq: z.optional(z.number().check(z.int(), z.positive())), event: z.unknown() }),
  z.strictObject({ type: z.literal('result'), id: CallId, value: z.unknown() }),
  z.strictObject({ type: z.literal('error'), id: CallId, error: WorkerError }),
  z.strictObject({ type: z.literal('pong') }),
]);
export type FromWorker = z.infer<typeof FromWorker>;

export { PARENT_PID_ENV } from './worker-fork.js';
