/**
 * Headers of every answer on the welcome ports, where the service's own
 * pages live (welcome, consent, demo, the SDK file): no CORS at all, so no
 * other origin — approved or not — can read a page and the secrets in it
 * (the consent form's, the revoke form's, the demo's grant), and no framing,
 * so no other page can overlay them (clickjacking) or drive the demo.
 */
import type { FastifyInstance } from 'fastify';

/** What an answer without a policy of its own gets (for answers sent without Fastify: cached-image.ts). */
export const PAGE_HEADERS: Readonly<Record<string, string>> = { 'x-frame-options': 'DENY', 'content-security-policy': "frame-ancestors 'none'" };

export function registerPageHeaders(app: FastifyInstance): void {
  app.addHook('onSend', async (_req, reply, payload) => {
    reply.header('x-frame-options', PAGE_HEADERS['x-frame-options']);
    // Pages with a policy of their own (welcome, consent) already forbid framing; the others get that much.
    if (!reply.hasHeader('content-security-policy')) reply.header('content-security-policy', PAGE_HEADERS['content-security-policy']);
    for (const name of Object.keys(reply.getHeaders())) if (name.startsWith('access-control-')) reply.removeHeader(name);
    return payload;
  });
}
