/**
 * An HTTP call whose client went away before the answer (it closed the
 * connection, or a server timeout cut it) can no longer tell anyone what it
 * did. Long work that changes the buffer (LoadImages) stops on this signal
 * and changes nothing, so a client that retries after a cut does not get
 * the work twice.
 */
import type { FastifyReply } from 'fastify';
import { ScanbridgeError } from '@scanbridge/protocol/core';

export function disconnectSignal(reply: FastifyReply): AbortSignal {
  const controller = new AbortController();
  reply.raw.once('close', () => {
    if (!reply.raw.writableFinished) controller.abort(new ScanbridgeError('job-cancelled', 'the HTTP client closed the connection before the answer, so nothing was changed; for long work use a job (StartLoad)'));
  });
  return controller.signal;
}
