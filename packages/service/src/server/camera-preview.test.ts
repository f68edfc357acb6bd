/**
 * Live camera preview (issue 16.3) through a running service, with a test
 * camera standing in for /dev/video0: signed like image URLs, MJPEG at the
 * bounded rate and size, one ffmpeg per camera whatever the viewers, gone
 * when the last viewer leaves, when the session closes, and when the service
 * is killed with SIGKILL. (How fast ffmpeg ends is measured in bench/camera.)
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import http from 'node:http';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import sharp from 'sharp';
import { adminHeaders, rpc, startChild, tempHome, tokenFor, type ChildService } from '../test-support/service-harness.js';
import { deskPhoto, mjpegVideo } from '../test-support/camera-photo.js';
import { until } from '../test-support/until.js';
import { imageSignature } from '../security/image-signature.js';
import { tokenHash } from '../security/secrets.js';
import { MpjpegReader } from '../devices/camera/mpjpeg-reader.js';
import { PREVIEW_DEFAULTS } from '../devices/camera/camera-driver.js';

const run = promisify(execFile);
const DEVICE = 'camera:test-desk';
let dir = '';
let video = '';

before(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'sb-preview-'));
  video = await mjpegVideo((await deskPhoto(dir, 1920, 1080)).path, path.join(dir, 'desk.mkv'), { fps: 30 });
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function startWithCamera(): Promise<ChildService> {
  return startChild(await tempHome(), [], { SCANBRIDGE_CAMERAS: 'false', SCANBRIDGE_TEST_CAMERAS: `desk=${video}` });
}

/** ffmpeg processes the service started. */
async function ffmpegsOf(pid: number): Promise<number[]> {
  const { stdout } = await run('ps', ['-o', 'pid=,comm=', '--ppid', String(pid)]).catch(() => ({ stdout: '' }));
  return stdout.split('\n').filter((l) => /\bffmpeg\b/.test(l)).map((l) => Number(l.trim().split(/\s+/)[0]));
}

async function alive(pid: number): Promise<boolean> {
  try {
    process.kill(pid, 0);
    const { stdout } = await run('ps', ['-o', 'stat=', '-p', String(pid)]);
    return !stdout.trim().startsWith('Z');
  } catch {
    return false;
  }
}

async function newSession(svc: ChildService): Promise<string> {
  return ((await rpc(svc.base, 'fa', 'CreateSession', {}, undefined, { headers: adminHeaders(svc.base) })).body.result![0] as { id: string }).id;
}

function previewUrl(svc: ChildService, session: string, sig?: string): string {
  const exp = Math.floor(Date.now() / 1000) + 600;
  return `${svc.base}/camera/preview?id=${session}&device=${encodeURIComponent(DEVICE)}&exp=${exp}&sig=${encodeURIComponent(sig ?? imageSignature(tokenHash(tokenFor(svc.base)!), session, exp))}`;
}

interface Watcher {
  status: number;
  contentType: string;
  frames: { at: number; jpeg: Buffer }[];
  ended: Promise<void>;
  close(): void;
}

/** Open a preview as an <img> does: no token header, the signed URL. */
function watch(url: string): Promise<Watcher> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, (res) => {
      const frames: Watcher['frames'] = [];
      const reader = new MpjpegReader((jpeg) => frames.push({ at: performance.now(), jpeg }));
      res.on('data', (chunk: Buffer) => reader.push(chunk));
      const ended = new Promise<void>((done) => res.on('close', () => done()));
      resolve({ status: res.statusCode ?? 0, contentType: String(res.headers['content-type']), frames, ended, close: () => req.destroy() });
    });
    req.on('error', (err) => (err.message.includes('socket hang up') ? undefined : reject(err)));
  });
}

describe('camera preview', () => {
  let svc: ChildService;
  before(async () => {
    svc = await startWithCamera();
  });
  after(async () => {
    await svc.stop();
  });

  test('needs a valid signature, like image URLs', async () => {
    const session = await newSession(svc);
    const bare = await fetch(`${svc.base}/camera/preview?id=${session}&device=${DEVICE}`);
    assert.equal(bare.status, 403);
    assert.equal(((await bare.json()) as { error: { code: string } }).error.code, 'token-invalid');
    const forged = await fetch(previewUrl(svc, session, 'AAAA'));
    assert.equal(((await forged.json()) as { error: { code: string } }).error.code, 'unknown-session');
    const unknown = await fetch(previewUrl(svc, session).replace(encodeURIComponent(DEVICE), 'camera%3Avideo42'));
    assert.equal(((await unknown.json()) as { error: { code: string } }).error.code, 'unknown-device');
    const scanner = await fetch(previewUrl(svc, session).replace(encodeURIComponent(DEVICE), 'demo%3Ascanner'));
    assert.equal(((await scanner.json()) as { error: { code: string } }).error.code, 'invalid-params');
  });

  test('streams MJPEG at the bounded rate and size, one ffmpeg for every viewer, ended when the last leaves', async (t) => {
    const session = await newSession(svc);
    const first = await watch(previewUrl(svc, session));
    assert.equal(first.status, 200);
    assert.equal(first.contentType, 'multipart/x-mixed-replace; boundary=scanbridge-frame');
    const second = await watch(previewUrl(svc, session));
    await until(async () => second.frames.length, (n) => n >= 25);
    assert.equal((await ffmpegsOf(svc.child.pid!)).length, 1, 'one ffmpeg for both viewers');
    // The source sends 30 frames a second; the preview passes at most its bound.
    const frames = second.frames.slice(5);
    const rate = (frames.length - 1) / ((frames.at(-1)!.at - frames[0]!.at) / 1000);
    t.diagnostic(`preview rate ${rate.toFixed(2)} fps (bound ${PREVIEW_DEFAULTS.fps})`);
    assert.ok(rate <= PREVIEW_DEFAULTS.fps * 1.15 && rate >= PREVIEW_DEFAULTS.fps * 0.5, `rate ${rate}`);
    const meta = await sharp(frames.at(-1)!.jpeg).metadata();
    assert.deepEqual([meta.format, meta.width, meta.height], ['jpeg', 1280, 720]);
    first.close();
    await first.ended;
    const [ffmpeg] = await ffmpegsOf(svc.child.pid!);
    assert.ok(ffmpeg, 'still running for the second viewer');
    const before = second.frames.length;
    await until(async () => second.frames.length, (n) => n > before + 3);
    second.close();
    const left = performance.now();
    await until(() => alive(ffmpeg!), (a) => !a);
    t.diagnostic(`ffmpeg ended ${Math.round(performance.now() - left)} ms after the last viewer left`);
    assert.deepEqual(await ffmpegsOf(svc.child.pid!), []);
  });

  test('a capture pauses the preview and the preview goes on after it', async () => {
    const session = await newSession(svc);
    const viewer = await watch(previewUrl(svc, session));
    await until(async () => viewer.frames.length, (n) => n >= 3);
    const job = (await rpc(svc.base, 'f', 'StartScan', { device: DEVICE }, session, { headers: adminHeaders(svc.base) })).body.result![0] as { id: string };
    const done = (await rpc(svc.base, 'f', 'WaitJob', { job: job.id }, session, { headers: adminHeaders(svc.base) })).body.result![0] as { state: string; pageIds: string[] };
    assert.equal(done.state, 'done');
    assert.equal(done.pageIds.length, 1);
    const info = (await rpc(svc.base, 'f', 'GetImagesInfo', {}, session, { headers: adminHeaders(svc.base) })).body.result![0] as { format: string; width: number; height: number }[];
    assert.deepEqual(info.map((p) => [p.format, p.width, p.height]), [['jpeg', 1920, 1080]]);
    const after = viewer.frames.length;
    await until(async () => viewer.frames.length, (n) => n > after + 3);
    viewer.close();
    await until(() => ffmpegsOf(svc.child.pid!), (list) => list.length === 0);
  });

  test('closing the session ends its previews and their ffmpeg', async () => {
    const session = await newSession(svc);
    const viewer = await watch(previewUrl(svc, session));
    await until(async () => viewer.frames.length, (n) => n >= 2);
    assert.equal((await rpc(svc.base, 'f', 'CloseSession', {}, session, { headers: adminHeaders(svc.base) })).status, 200);
    await viewer.ended;
    await until(() => ffmpegsOf(svc.child.pid!), (list) => list.length === 0);
  });
});

test('no ffmpeg outlives a service killed with SIGKILL', async () => {
  const svc = await startWithCamera();
  const session = await newSession(svc);
  const viewer = await watch(previewUrl(svc, session));
  await until(async () => viewer.frames.length, (n) => n >= 2);
  const [ffmpeg] = await ffmpegsOf(svc.child.pid!);
  assert.ok(ffmpeg);
  await svc.kill9();
  await until(() => alive(ffmpeg!), (a) => !a);
  viewer.close();
});
