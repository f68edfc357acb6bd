/**
 * `GET /camera/preview?id=<session>&device=<camera id>&exp=<unix s>&sig=<hmac>`:
 * a camera's live picture as MJPEG over `multipart/x-mixed-replace`, which an
 * <img> shows as it arrives. Signed and expiring like image URLs (an <img>
 * cannot send the token header), for the session's own origin only. Every
 * viewer of a camera shares one ffmpeg (PreviewHub); the stream ends when the
 * page drops the <img> (the connection closes), when its session ends, or
 * when the camera goes away; a slow viewer skips frames instead of holding
 * the others back.
 */
import type { FastifyInstance } from 'fastify';
import type { ServerResponse } from 'node:http';
import { NO_SESSION_ID, ScanbridgeError } from '@scanbridge/protocol/core';
import type { ServiceContext } from './context.js';
import { errorEnvelope } from './rpc.js';
import { authorizeImage } from './image-route.js';
import { CameraDriver } from '../devices/camera/camera-driver.js';

const BOUNDARY = 'scanbridge-frame';
/** Bytes a viewer may have waiting to be sent before frames are skipped for it. */
const BACKLOG_BYTES = 2 * 1024 * 1024;

/** The ends of the open previews of each session, so that closing a session closes them. */
const bySession = new Map<string, Set<() => void>>();
const watched = new WeakSet<object>();

function cameraDriverOf(ctx: ServiceContext, deviceId: string): CameraDriver {
  const driver = ctx.devices.driverFor(deviceId);
  if (!(driver instanceof CameraDriver)) throw new ScanbridgeError('invalid-params', `query.device: "${deviceId.slice(0, 80)}" is not a camera; previews show cameras (ids camera:...)`);
  return driver;
}

export function registerCameraPreviewRoute(app: FastifyInstance, ctx: ServiceContext): void {
  if (!watched.has(ctx.sessions)) {
    watched.add(ctx.sessions);
    ctx.sessions.on('closed', (sessionId) => {
      for (const end of bySession.get(sessionId) ?? []) end();
      bySession.delete(sessionId);
    });
  }
  app.get<{ Querystring: Record<string, unknown> }>('/camera/preview', async (req, reply) => {
    let deviceId = '';
    let session;
    let driver: CameraDriver;
    try {
      const query = req.query;
      if (typeof query.id !== 'string' || query.id === '') throw new ScanbridgeError('session-required', 'query.id: the session id is required');
      session = ctx.sessions.get(query.id);
      authorizeImage(ctx, req.principal, session.id, session.origin, query);
      if (typeof query.device !== 'string' || query.device === '') throw new ScanbridgeError('invalid-params', 'query.device: the camera id is required (from ListDevices)');
      deviceId = query.device;
      driver = cameraDriverOf(ctx, deviceId);
      // Unknown or vanished cameras are refused before the stream starts.
      await driver.capabilities(deviceId);
    } catch (err) {
      const { status, body } = errorEnvelope(NO_SESSION_ID, 'preview', '', err);
      return reply.code(status).header('cache-control', 'no-store').send(body);
    }
    reply.hijack();
    const res: ServerResponse = reply.raw;
    res.writeHead(200, {
      'content-type': `multipart/x-mixed-replace; boundary=${BOUNDARY}`,
      'cache-control': 'no-store',
      'x-content-type-options': 'nosniff',
      connection: 'close',
    });
    const sessionId = session.id;
    let done = false;
    let unwatch: () => void = () => undefined;
    const end = (): void => {
      if (done) return;
      done = true;
      unwatch();
      bySession.get(sessionId)?.delete(end);
      res.end();
    };
    let set = bySession.get(sessionId);
    if (!set) bySession.set(sessionId, (set = new Set()));
    set.add(end);
    res.on('close', end);
    unwatch = driver.preview.watch(deviceId, {
      frame(jpeg) {
        if (done || res.writableLength > BACKLOG_BYTES) return;
        res.write(`--${BOUNDARY}\r\nContent-Type: image/jpeg\r\nContent-Length: ${jpeg.length}\r\n\r\n`);
        res.write(jpeg);
        res.write('\r\n');
      },
      end(error) {
        if (error) ctx.log.info({ device: deviceId, code: error.code, error: error.message }, 'camera preview ended');
        end();
      },
    });
    if (done) unwatch();
  });
}
