/** Handlers: the service itself and sessions. */
import { PROTOCOL_VERSION, ScanbridgeError } from '@scanbridge/protocol/core';
import type { SERVICE_METHODS } from '@scanbridge/protocol';
import { fullProtocol } from '../../util/full-protocol.js';
import { VERSION, VERSION_INFO } from '../../version.js';
import type { DomainHandlers } from './types.js';

export const SERVICE_HANDLERS: DomainHandlers<keyof typeof SERVICE_METHODS> = {
  VersionInfo: () => [VERSION_INFO, '', '64'],
  ServiceInfo: async ({ ctx }) => [
    {
      version: VERSION,
      protocol: PROTOCOL_VERSION,
      runtime: process.version,
      uptime: (Date.now() - ctx.startedAt.getTime()) / 1000,
      sessions: ctx.sessions.size,
      buffer: ctx.sessions.memory(),
      rss: process.memoryUsage.rss(),
      ports: { ...ctx.ports },
      devices: await ctx.devices.list(),
      drivers: await ctx.devices.status(),
    },
  ],
  ListMethods: async () => {
    const { METHODS, METHOD_NAMES } = await fullProtocol();
    return [METHOD_NAMES.map((name) => ({ name, session: METHODS[name].session, safe: METHODS[name].safe, summary: METHODS[name].summary }))];
  },
  CreateSession: async ({ ctx, source }) => {
    const session = await ctx.sessions.create(source.principal.origin ?? 'local');
    return [session.info()];
  },
  ResumeSession: ({ session }) => {
    session.touch();
    return [session.info()];
  },
  CloseSession: async ({ ctx, session }) => {
    const closed = new ScanbridgeError('job-cancelled', 'the session was closed');
    await Promise.all([ctx.jobs.cancelAll(session.id, closed), ctx.uploads.cancelAll(session.id, closed)]);
    await ctx.sessions.close(session.id);
    return [true];
  },
};
