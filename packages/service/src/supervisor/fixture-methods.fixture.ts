/** The methods of the supervisor's fixture worker, shared by the worker and the tests. */
import { z } from '../util/zod-stack.js';
import type { WorkerMethod } from './worker-messages.js';

const none = z.never();

export const FIXTURE_METHODS = {
  echo: { params: z.object({ value: z.string() }), result: z.object({ value: z.string() }), event: none },
  fail: { params: z.object({ code: z.string(), message: z.string() }), result: z.object({}), event: none },
  stream: { params: z.object({ count: z.number().check(z.int()) }), result: z.object({ count: z.number().check(z.int()) }), event: z.object({ i: z.number().check(z.int()), acked: z.number().check(z.int()) }) },
  sleepy: { params: z.object({ ms: z.number() }), result: z.object({ slept: z.number() }), event: none },
  /** Says it has started (an event), then never ends. */
  stuck: { params: z.object({}), result: z.object({}), event: z.object({ started: z.literal(true) }) },
  crash: { params: z.object({}), result: z.object({}), event: none },
  bad: { params: z.object({}), result: z.object({}), event: none },
  wrongResult: { params: z.object({}), result: z.object({ n: z.number() }), event: none },
  whoami: { params: z.object({ env: z.string() }), result: z.object({ pid: z.number(), ppid: z.number(), value: z.nullable(z.string()) }), event: none },
} satisfies Record<string, WorkerMethod>;
