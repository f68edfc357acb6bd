/**
 * One handler per protocol method. Params arrive validated and typed from
 * @scanbridge/protocol; the mapped type makes a missing or mistyped handler a
 * compile error.
 */
import { METHODS, METHOD_NAMES, PROTOCOL_VERSION, ScanbridgeError, type MethodName, type ParsedParamsOf, type ResultOf } from '@scanbridge/protocol';
import type { Session } from '../buffer/session-manager.js';
import { ingestUpload } from '../imaging/ingest.js';
import { VERSION, VERSION_INFO } from '../version.js';
import type { ServiceContext } from './context.js';
import type { CallSource } from './rpc.js';

type SessionMethod = { [M in MethodName]: (typeof METHODS)[M]['session'] extends true ? M : never }[MethodName];

export interface Call<M extends MethodName> {
  ctx: ServiceContext;
  session: M extends SessionMethod ? Session : null;
  params: ParsedParamsOf<M>;
  source: CallSource;
}

type Handlers = { [M in MethodName]: (call: Call<M>) => Promise<ResultOf<M>> | ResultOf<M> };

const MAX_BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

function decodeBase64(data: string): Buffer {
  const clean = data.replace(/^data:[^,]*;base64,/, '').replace(/\s+/g, '');
  if (!MAX_BASE64.test(clean)) throw new ScanbridgeError('invalid-params', 'params.data: expected base64 image bytes');
  return Buffer.from(clean, 'base64');
}

export const HANDLERS: Handlers = {
  VersionInfo: () => [VERSION_INFO, '', '64'],

  ServiceInfo: async ({ ctx }) => [
    {
      version: VERSION,
      protocol: PROTOCOL_VERSION,
      uptime: (Date.now() - ctx.startedAt.getTime()) / 1000,
      sessions: ctx.sessions.size,
      buffer: ctx.sessions.memory(),
      rss: process.memoryUsage.rss(),
      ports: { ...ctx.ports },
      devices: await ctx.devices.list(),
      drivers: await ctx.devices.status(),
    },
  ],

  ListMethods: () => [METHOD_NAMES.map((name) => ({ name, session: METHODS[name].session, safe: METHODS[name].safe, summary: METHODS[name].summary }))],

  CreateSession: async ({ ctx, source }) => {
    const session = await ctx.sessions.create(source.origin);
    return [session.info()];
  },
  ResumeSession: ({ session }) => {
    session.touch();
    return [session.info()];
  },
  CloseSession: async ({ ctx, session }) => {
    await ctx.jobs.cancelAll(session.id, new ScanbridgeError('job-cancelled', 'the session was closed'));
    await ctx.sessions.close(session.id);
    return [true];
  },

  GetImageCount: ({ session }) => [session.buffer.count()],
  GetImagesInfo: ({ session, params }) => [session.buffer.list(params.pages)],
  AddImage: async ({ session, params }) => {
    const image = await ingestUpload(decodeBase64(params.data), { xdpi: params.xdpi, ydpi: params.ydpi ?? params.xdpi });
    const opts: { index?: number; tags?: string[] } = {};
    if (params.index !== undefined) opts.index = params.index;
    if (params.tags) opts.tags = params.tags;
    return [await session.buffer.add(image, opts)];
  },
  RemoveImages: async ({ session, params }) => [await session.buffer.remove(params.pages)],
  RemoveSelectedImages: async ({ session }) => [await session.buffer.removeSelected()],
  RemoveAllImages: async ({ session }) => {
    await session.buffer.clear();
    return [true];
  },
  MoveImage: async ({ session, params }) => [await session.buffer.move(params.page, params.to)],
  SwapImages: async ({ session, params }) => [await session.buffer.swap(params.a, params.b)],
  SelectImages: async ({ session, params }) => [await session.buffer.select(params.pages)],
  GetSelectedImages: ({ session }) => [session.buffer.selected()],
  SetImageTags: async ({ session, params }) => [await session.buffer.setTags(params.pages, params.tags, params.mode)],
  FindImagesByTag: ({ session, params }) => [session.buffer.findByTag(params.tag)],
  GetImage: async ({ session, params }) => {
    const info = session.buffer.info(params.page);
    const image = await session.buffer.getImage(params.page);
    return [{ format: image.format, data: image.bytes.toString('base64'), info }];
  },

  ListDevices: async ({ ctx, params }) => [await ctx.devices.list(params.refresh)],
  GetCapabilities: async ({ ctx, params }) => [await ctx.devices.capabilities(params.device)],
  StartScan: async ({ ctx, session, params }) => [await ctx.jobs.start(session.id, session.buffer, params.device, params.settings)],
  GetJob: ({ ctx, session, params }) => [ctx.jobs.get(session.id, params.job)],
  WaitJob: async ({ ctx, session, params }) => [await ctx.jobs.wait(session.id, params.job, params.timeout * 1000)],
  CancelJob: async ({ ctx, session, params }) => [await ctx.jobs.cancel(session.id, params.job)],
};
