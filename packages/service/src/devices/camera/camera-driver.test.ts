import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, readdir, rm, copyFile, writeFile, chmod, mkdir } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import sharp from 'sharp';
import { ScanbridgeError } from '@scanbridge/protocol';
import { CameraDriver } from './camera-driver.js';
import { probeCameraTools } from './tool-probe.js';
import { DeviceManager } from '../device-manager.js';
import { deskPhoto, mjpegVideo } from '../../test-support/camera-photo.js';
import { recordingSink, settings } from '../demo/test-helpers.js';
import { rejection } from '../../test-support/rejection.js';

async function rejectsWith(promise: Promise<unknown>, code: string, message?: RegExp): Promise<void> {
  const err = await rejection(promise);
  assert.equal(err.code, code, err.message);
  if (message) assert.match(err.message, message);
}

const run = promisify(execFile);
let dir = '';
let video = '';

before(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'sb-camera-'));
  const photo = await deskPhoto(dir, 1920, 1080);
  video = await mjpegVideo(photo.path, path.join(dir, 'desk.mkv'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

function driver(extra: { name: string; source: string }[] = []): CameraDriver {
  return new CameraDriver({ systemCameras: false, testCameras: [{ name: 'desk', source: video }, { name: 'bars', source: 'lavfi:testsrc2=size=640x480:rate=15' }, ...extra] });
}

test('test cameras are listed as cameras with the frame size, format and rate of their source', async () => {
  const d = driver();
  assert.deepEqual(await d.availability(), { available: true });
  // setup.sh installs v4l-utils: listings and controls come from v4l2-ctl.
  assert.equal(d.hasV4l2ctl, true);
  const devices = await d.list();
  assert.deepEqual(devices.map((x) => [x.id, x.type]), [['camera:test-desk', 'camera'], ['camera:test-bars', 'camera']]);
  const caps = await d.capabilities('camera:test-desk');
  const option = (name: string) => caps.options.find((o) => o.name === name);
  assert.deepEqual(option('resolution')?.constraint, ['1920x1080']);
  assert.deepEqual(option('pixelFormat')?.constraint, ['mjpeg']);
  assert.deepEqual(option('framerate')?.constraint, [15]);
  assert.deepEqual(caps.colorModes, ['color']);
  const bars = await d.capabilities('camera:test-bars');
  assert.deepEqual(bars.options.find((o) => o.name === 'resolution')?.constraint, ['640x480']);
  await d.close();
});

test('a still from an MJPEG camera is the frame as the camera sent it, byte for byte', async () => {
  const d = driver();
  const sink = recordingSink();
  await d.scan('camera:test-desk', settings({ dpi: 150 }), sink, new AbortController().signal);
  assert.equal(sink.pages.length, 1);
  const page = sink.pages[0]!;
  assert.equal(page.format, 'jpeg');
  assert.deepEqual([page.width, page.height, page.xdpi, page.mode], [1920, 1080, 150, 'color']);
  // Every frame of the source is the same JPEG: the capture must be one of them, untouched.
  const frames = path.join(dir, 'frames');
  await run('sh', ['-c', `mkdir -p '${frames}' && ffmpeg -nostdin -loglevel error -i '${video}' -frames:v 1 -c:v copy -f image2 '${frames}/f%d.jpg'`]);
  const sent = await readFile(path.join(frames, (await readdir(frames))[0]!));
  assert.ok(page.bytes.equals(sent), `captured ${page.bytes.length} bytes, the camera sent ${sent.length}`);
  const meta = await sharp(page.bytes).metadata();
  assert.deepEqual([meta.format, meta.width, meta.height], ['jpeg', 1920, 1080]);
  await d.close();
});

test('a still from a camera sending raw frames is encoded to JPEG once', async () => {
  const d = driver();
  const sink = recordingSink();
  await d.scan('camera:test-bars', settings(), sink, new AbortController().signal);
  const meta = await sharp(sink.pages[0]!.bytes).metadata();
  assert.deepEqual([meta.format, meta.width, meta.height], ['jpeg', 640, 480]);
  await d.close();
});

test('a frame size the camera does not offer is refused, listing those it does', async () => {
  const d = driver();
  await rejectsWith(d.validate('camera:test-desk', settings({ options: { resolution: '1280x720' } })), 'invalid-settings', /does not offer "1280x720"; it offers 1920x1080/);
  await rejectsWith(d.validate('camera:test-desk', settings({ options: { framerate: 60 } })), 'invalid-settings', /it offers 15/);
  await rejectsWith(d.validate('camera:test-desk', settings({ options: { whiteness: 3 } })), 'invalid-settings', /no such option; it has resolution, pixelFormat, framerate/);
  await rejectsWith(d.validate('camera:test-desk', settings({ source: 'feeder' })), 'invalid-settings', /no document feeder/);
  await d.validate('camera:test-desk', settings({ options: { resolution: '1920x1080', pixelFormat: 'mjpeg', framerate: 15 } }));
  await d.close();
});

test('an id that is no camera is unknown-device', async () => {
  const d = driver();
  await d.list();
  await rejectsWith(d.capabilities('camera:video77'), 'unknown-device', /no such camera \(cameras: camera:test-desk, camera:test-bars\)/);
  await rejectsWith(d.scan('camera:nope', settings(), recordingSink(), new AbortController().signal), 'unknown-device');
  await d.close();
});

test('a camera that disappears ends its capture with device-gone', async () => {
  const file = path.join(dir, 'unplugged.mkv');
  await copyFile(video, file);
  const d = driver([{ name: 'usb', source: file }]);
  await d.list();
  await d.capabilities('camera:test-usb');
  await rm(file);
  await rejectsWith(d.scan('camera:test-usb', settings(), recordingSink(), new AbortController().signal), 'device-gone', /camera "camera:test-usb" is gone/);
  // Listed again, it is not there any more.
  assert.deepEqual((await d.list()).map((x) => x.id), ['camera:test-desk', 'camera:test-bars']);
  await rejectsWith(d.scan('camera:test-usb', settings(), recordingSink(), new AbortController().signal), 'device-gone');
  await d.close();
});

test('without ffmpeg the driver is unavailable, naming the package, and nothing throws', async () => {
  const d = new CameraDriver({ ffmpegPath: '/nonexistent/bin/ffmpeg', testCameras: [{ name: 'desk', source: video }] });
  const a = await d.availability();
  assert.equal(a.available, false);
  assert.match(a.available ? '' : a.reason, /cameras need ffmpeg, and FfmpegPath \(\/nonexistent\/bin\/ffmpeg\) could not be run .*install the package ffmpeg/);
  assert.deepEqual(await d.list(), []);
  await rejectsWith(d.capabilities('camera:test-desk'), 'driver-unavailable', /install the package ffmpeg/);
  await d.close();
});

test("a probe of ffmpeg started before the driver (scanbridge run's early look) is the driver's answer; a probe of another ffmpeg is not", async () => {
  // A copy of ffmpeg that is gone once the probe has run: the driver's answer can only come from the probe.
  const ffmpeg = path.join(dir, 'ffmpeg-early');
  await copyFile((await run('sh', ['-c', 'command -v ffmpeg'])).stdout.trim(), ffmpeg);
  await run('chmod', ['755', ffmpeg]);
  const toolProbe = probeCameraTools(ffmpeg);
  await toolProbe.results;
  await rm(ffmpeg);
  const d = new CameraDriver({ ffmpegPath: ffmpeg, testCameras: [{ name: 'desk', source: video }], toolProbe });
  assert.deepEqual(await d.availability(), { available: true });
  await d.close();
  const other = new CameraDriver({ ffmpegPath: '/nonexistent/bin/ffmpeg', testCameras: [{ name: 'desk', source: video }], toolProbe: probeCameraTools('ffmpeg') });
  assert.equal((await other.availability()).available, false);
  await other.close();
});

test('with no video node and no test camera the device list skips the driver without running ffmpeg; a node plugged in is looked at', async () => {
  // A stand-in ffmpeg that leaves a mark when it runs.
  const ffmpeg = path.join(dir, 'ffmpeg-marks');
  const mark = path.join(dir, 'ffmpeg-ran');
  await writeFile(ffmpeg, `#!/bin/sh\ntouch '${mark}'\necho "ffmpeg version stand-in"\n`);
  await chmod(ffmpeg, 0o755);
  const sysfs = path.join(dir, 'video4linux');
  await mkdir(sysfs);
  const d = new CameraDriver({ ffmpegPath: ffmpeg, sysfs });
  const devices = new DeviceManager([d]);
  try {
    assert.deepEqual(await devices.list(), []);
    assert.equal(existsSync(mark), false, 'ffmpeg was run for an empty list');
    assert.equal(d.nothingToList(), true);
    // A node appears (its name file only: not a camera v4l2-ctl would list): now the driver looks, with ffmpeg.
    await mkdir(path.join(sysfs, 'video0'));
    await writeFile(path.join(sysfs, 'video0', 'name'), 'Stand-in\n');
    assert.equal(d.nothingToList(), false);
    assert.deepEqual(await devices.list(true), []);
    assert.equal(existsSync(mark), true, 'ffmpeg was asked once a node appeared');
  } finally {
    await d.close();
  }
});

test('a cancelled capture ends with job-cancelled', async () => {
  const d = driver();
  const controller = new AbortController();
  controller.abort();
  await assert.rejects(d.scan('camera:test-desk', settings(), recordingSink(), controller.signal), (err: unknown) => err instanceof ScanbridgeError && err.code === 'job-cancelled');
  await d.close();
});
