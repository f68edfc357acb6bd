/**
 * The protocol's zod schemas (the main entry of @scanbridge/protocol), loaded
 * by the first call that needs them rather than at start: building every
 * method's schema costs a start about 70 ms of CPU and 4 MB (bench/startup).
 * The calls a page makes first need none (exact entries of METHOD_TABLE,
 * plain envelopes: server/rpc.ts); everything else at run time comes from
 * `@scanbridge/protocol/core`. server/lean-start.test.ts checks that a
 * started service has not loaded them.
 */
import { lazyImport } from './lazy-import.js';

export const fullProtocol = lazyImport(() => import('@scanbridge/protocol'));
