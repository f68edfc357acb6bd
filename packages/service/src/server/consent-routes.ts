/**
 * The consent page and the approvals list, on the welcome ports: the only
 * place where the user approves or revokes an origin. The origin shown is the
 * one the service saw in the page's request, never text the page supplied;
 * the pages cannot be framed (clickjacking), run no script, and accept a
 * decision only as a form post from the welcome origin carrying the secret
 * the service put in the form.
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import { randomBytes } from 'node:crypto';
import { ScanbridgeError } from '@scanbridge/protocol/core';
import type { ServiceContext } from './context.js';
import { welcomeOrigins } from './cors.js';
import { RateLimiter } from '../security/rate-limit.js';
import { sameSecret } from '../security/secrets.js';

const escape = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

const PAGE_HEADERS = {
  'content-type': 'text/html; charset=utf-8',
  'cache-control': 'no-store',
  'x-frame-options': 'DENY',
  'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
  // same-origin, not no-referrer: with no-referrer Chromium sends `Origin: null` on the form post, which the gate refuses.
  'referrer-policy': 'same-origin',
  'x-content-type-options': 'nosniff',
};

function page(title: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${escape(title)}</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:36rem;margin:3rem auto;padding:0 1rem;color:#1b1f24}
.origin{font:600 1.3rem/1.4 ui-monospace,monospace;background:#f3f4f6;padding:.6rem .8rem;border-radius:6px;word-break:break-all}
button{font:inherit;padding:.5rem 1.2rem;margin-right:.6rem;border-radius:6px;border:1px solid #888;cursor:pointer}
button.allow{background:#1f6feb;color:#fff;border-color:#1f6feb}table{border-collapse:collapse}td,th{padding:.3rem .6rem;border-bottom:1px solid #ddd;text-align:left}</style>
</head><body>${body}</body></html>`;
}

function send(reply: FastifyReply, status: number, html: string): FastifyReply {
  return reply.code(status).headers(PAGE_HEADERS).send(html);
}

function form(body: unknown): URLSearchParams {
  return new URLSearchParams(Buffer.isBuffer(body) ? body.toString('utf8').slice(0, 4096) : '');
}

/**
 * Proof that a revoke form was served by this service (the welcome page embeds it). One per
 * service, not per listener: the page served on one welcome port may post to the other.
 */
const formSecrets = new WeakMap<ServiceContext, string>();
function formSecretOf(ctx: ServiceContext): string {
  let secret = formSecrets.get(ctx);
  if (!secret) formSecrets.set(ctx, (secret = randomBytes(16).toString('hex')));
  return secret;
}

export function registerConsentRoutes(app: FastifyInstance, ctx: ServiceContext): void {
  // The consent page is what a hostile page would try to flood or phish with: few per minute and request.
  const pageLimit = new RateLimiter(20, 0.5);
  const formSecret = formSecretOf(ctx);
  const fromWelcome = (origin: unknown) => typeof origin === 'string' && welcomeOrigins(ctx).includes(origin);

  app.get<{ Querystring: { request?: string } }>('/consent', async (req, reply) => {
    const request = typeof req.query.request === 'string' ? ctx.consent.get(req.query.request) : undefined;
    if (!request || request.state !== 'pending') {
      return send(reply, 404, page('Request expired', '<h1>This request has expired</h1><p>Go back to the page and ask again.</p>'));
    }
    // Counted per request: a page flooding its own consent page cannot lock another page's out.
    if (!pageLimit.take(request.id)) return send(reply, 429, page('Too many requests', '<h1>Too many requests</h1><p>Wait a minute and ask again from the page.</p>'));
    const claim = request.app ? `<p>It calls itself “${escape(request.app)}” — that name is the page's own claim; the address above is what your browser reported.</p>` : '';
    return send(
      reply,
      200,
      page(
        'Allow scanner access?',
        `<h1>Allow this website to use your scanners?</h1>
<p class="origin" id="origin">${escape(request.origin)}</p>
${claim}
<p>If you allow it, pages of exactly this address can find and use your scanners, read the pages they scan, and save them. Only allow websites you trust. You can revoke it at any time on the <a href="/">scanbridge page</a>.</p>
<form method="post" action="/consent/decide">
<input type="hidden" name="request" value="${escape(request.id)}"><input type="hidden" name="csrf" value="${escape(request.csrf)}">
<button class="allow" name="decision" value="allow" id="allow">Allow</button><button name="decision" value="deny" id="deny">Deny</button>
</form>`,
      ),
    );
  });

  app.post('/consent/decide', async (req, reply) => {
    if (!fromWelcome(req.headers.origin)) throw new ScanbridgeError('origin-not-allowed', 'a decision is accepted only from the scanbridge consent page');
    const fields = form(req.body);
    const allow = fields.get('decision') === 'allow';
    const request = ctx.consent.decide(fields.get('request') ?? '', fields.get('csrf') ?? '', allow);
    if (allow) await ctx.approvals.approve(request.origin, 'user');
    ctx.log.info({ origin: request.origin, allowed: allow }, 'consent answered');
    const done = allow ? `You allowed <b>${escape(request.origin)}</b> to use your scanners.` : `You did not allow <b>${escape(request.origin)}</b>.`;
    return send(reply, 200, page('Done', `<h1>Done</h1><p id="result">${done}</p><p>You can close this window and go back to the page.</p>`));
  });

  app.post('/origins/revoke', async (req, reply) => {
    const fields = form(req.body);
    if (!fromWelcome(req.headers.origin) || !sameSecret(fields.get('csrf') ?? '', formSecret)) {
      throw new ScanbridgeError('origin-not-allowed', 'revoking is accepted only from the scanbridge welcome page');
    }
    const origin = fields.get('origin') ?? '';
    const revoked = await ctx.approvals.revoke(origin);
    if (revoked) ctx.log.info({ origin }, 'approval revoked');
    return reply.code(303).header('location', '/').header('cache-control', 'no-store').send();
  });

  /** The approvals table of the welcome page, with a revoke button per user approval. */
  ctx.approvalsHtml = () => {
    const rows = ctx.approvals
      .list()
      .filter((a) => !welcomeOrigins(ctx).includes(a.origin))
      .map((a) => {
        const action =
          a.by === 'administrator'
            ? 'set by the administrator'
            : `<form method="post" action="/origins/revoke"><input type="hidden" name="csrf" value="${formSecret}"><input type="hidden" name="origin" value="${escape(a.origin)}"><button>Revoke</button></form>`;
        return `<tr><td><code>${escape(a.origin)}</code></td><td>${escape(a.approvedAt.slice(0, 10))}</td><td>${action}</td></tr>`;
      });
    return rows.length ? `<table id="approvals"><thead><tr><th>Website</th><th>Since</th><th></th></tr></thead><tbody>${rows.join('')}</tbody></table>` : '<p id="approvals">No website is allowed yet.</p>';
  };
}
