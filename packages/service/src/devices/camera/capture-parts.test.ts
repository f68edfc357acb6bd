import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import sharp from 'sharp';
import { jpegFrameInfo, withHuffmanTables } from './mjpeg-frame.js';
import { cameraError } from './camera-errors.js';
import { previewArgs, stillArgs } from './ffmpeg-args.js';
import { MpjpegReader } from './mpjpeg-reader.js';
import { planCapture } from './camera-settings.js';
import { parseV4l2Controls, parseV4l2Formats } from './v4l2-listing.js';
import { fixture } from './test-fixtures.js';
import { settings } from '../demo/test-helpers.js';

const run = promisify(execFile);

/** Remove every DHT segment, as a UVC camera's MJPEG frame comes. */
function stripHuffman(jpeg: Buffer): Buffer {
  const parts: Buffer[] = [jpeg.subarray(0, 2)];
  let i = 2;
  for (;;) {
    const marker = jpeg[i + 1]!;
    if (marker === 0xda) return Buffer.concat([...parts, jpeg.subarray(i)]);
    const end = i + 2 + jpeg.readUInt16BE(i + 2);
    if (marker !== 0xc4) parts.push(jpeg.subarray(i, end));
    i = end;
  }
}

test('an MJPEG frame without Huffman tables gets the standard ones, its data untouched', async () => {
  const { stdout } = await run('ffmpeg', ['-nostdin', '-loglevel', 'error', '-f', 'lavfi', '-i', 'testsrc2=size=320x240', '-frames:v', '1', '-c:v', 'mjpeg', '-huffman', 'default', '-f', 'mjpeg', 'pipe:1'], { encoding: 'buffer' });
  const complete = stdout as Buffer;
  const bare = stripHuffman(complete);
  assert.ok(bare.length < complete.length);
  // libjpeg-turbo guesses the tables, but a PDF page passes the JPEG through to readers that may not.
  assert.equal(bare.indexOf(Buffer.from([0xff, 0xc4])), -1);
  const fixed = withHuffmanTables(bare);
  assert.notEqual(fixed.indexOf(Buffer.from([0xff, 0xc4])), -1);
  assert.ok(stripHuffman(fixed).equals(bare), 'only the tables were added');
  assert.ok((await sharp(fixed).raw().toBuffer()).equals(await sharp(complete).raw().toBuffer()), 'the same pixels as the encoder\'s own file');
  assert.equal(withHuffmanTables(complete), complete);
  assert.deepEqual(jpegFrameInfo(fixed), { width: 320, height: 240, components: 3 });
  assert.equal(jpegFrameInfo(Buffer.from('not a jpeg')), null);
});

test("ffmpeg's complaints map to device-busy, device-gone, access-denied and io-error", () => {
  const id = 'camera:video0';
  assert.equal(cameraError(id, '[video4linux2,v4l2 @ 0x5581] ioctl(VIDIOC_STREAMON): Device or resource busy\n/dev/video0: Device or resource busy').code, 'device-busy');
  assert.equal(cameraError(id, '[video4linux2,v4l2 @ 0x5581] Cannot open video device /dev/video0: No such file or directory').code, 'device-gone');
  assert.equal(cameraError(id, '[video4linux2,v4l2 @ 0x5581] ioctl(VIDIOC_DQBUF): No such device').code, 'device-gone');
  assert.equal(cameraError(id, '[dshow @ 000001] Could not find video device with name [IPEVO V4K] among source devices of type video.').code, 'device-gone');
  assert.equal(cameraError(id, '[video4linux2,v4l2 @ 0x5581] Cannot open video device /dev/video0: Permission denied').code, 'access-denied');
  const other = cameraError(id, 'ffmpeg version 5.1\nsomething odd happened');
  assert.equal(other.code, 'io-error');
  assert.match(other.message, /something odd happened/);
});

test('ffmpeg command lines: the camera mode on the input, MJPEG copied, raw encoded, the preview bounded', () => {
  const v4l2 = { kind: 'v4l2', node: '/dev/video0' } as const;
  const still = stillArgs(v4l2, { pixelFormat: 'mjpeg', width: 1920, height: 1080, fps: 30 }).join(' ');
  assert.match(still, /-f v4l2 -input_format mjpeg -video_size 1920x1080 -framerate 30 -i \/dev\/video0 .*-frames:v 3 -c:v copy -f mpjpeg pipe:1$/);
  assert.match(stillArgs(v4l2, { pixelFormat: 'yuyv422', width: 640, height: 480, fps: 0 }).join(' '), /-input_format yuyv422 -video_size 640x480 -i \/dev\/video0 .*-c:v mjpeg -q:v 2/);
  assert.match(stillArgs({ kind: 'dshow', name: 'IPEVO V4K' }, { pixelFormat: 'mjpeg', width: 3264, height: 2448, fps: 15 }).join(' '), /-f dshow -vcodec mjpeg -video_size 3264x2448 -framerate 15 -i video=IPEVO V4K/);
  assert.match(stillArgs({ kind: 'avfoundation', index: 1 }, { pixelFormat: 'default', width: 1920, height: 1080, fps: 30 }).join(' '), /-f avfoundation -video_size 1920x1080 -framerate 30 -i 1:none/);
  const preview = previewArgs(v4l2, null, { fps: 8, maxSide: 960, quality: 6 }).join(' ');
  assert.match(preview, /fps=8,scale=w='min\(960,iw\)':h='min\(960,ih\)':force_original_aspect_ratio=decrease/);
});

test('the mpjpeg reader splits frames however the stream is cut', () => {
  const frames = [Buffer.from('\xff\xd8one\r\n\r\nstill one\xff\xd9', 'latin1'), Buffer.from('\xff\xd8two\xff\xd9', 'latin1')];
  const stream = Buffer.concat(frames.flatMap((f) => [Buffer.from(`--ffmpeg\r\nContent-type: image/jpeg\r\nContent-length: ${f.length}\r\n\r\n`), f, Buffer.from('\r\n')]));
  for (const cut of [1, 7, 40, stream.length]) {
    const got: Buffer[] = [];
    const reader = new MpjpegReader((f) => got.push(f));
    for (let i = 0; i < stream.length; i += cut) reader.push(stream.subarray(i, i + cut));
    assert.deepEqual(got, frames, `cut every ${cut} bytes`);
  }
});

test('settings of a UVC camera: default mode, controls, brightness spread over the range', () => {
  const details = { modes: parseV4l2Formats(fixture('v4l2-ctl-formats-c920.txt')), controls: parseV4l2Controls(fixture('v4l2-ctl-ctrls-c920.txt')) };
  // The largest frame is YUYV only: raw, 2 fps.
  assert.deepEqual(planCapture('camera:video0', details, settings()).mode, { pixelFormat: 'yuyv422', width: 2304, height: 1536, fps: 2 });
  assert.deepEqual(planCapture('camera:video0', details, settings({ options: { resolution: '1920x1080' } })).mode, { pixelFormat: 'mjpeg', width: 1920, height: 1080, fps: 30 });
  const plan = planCapture('camera:video0', details, settings({ brightness: 50, options: { focus_automatic_continuous: false, focus_absolute: 120, zoom_absolute: 200 } }));
  assert.deepEqual(plan.controls, [['brightness', 192], ['focus_absolute', 120], ['focus_automatic_continuous', 0], ['zoom_absolute', 200]]);
  assert.throws(() => planCapture('camera:video0', details, settings({ options: { focus_absolute: 251 } })), /focus_absolute: 251 is out of range .* an integer 0..250/);
  assert.throws(() => planCapture('camera:video0', details, settings({ options: { auto_exposure: 2 } })), /expected 1 \(Manual Mode\), 3 \(Aperture Priority Mode\)/);
  assert.throws(() => planCapture('camera:video0', details, settings({ options: { resolution: '800x601' } })), /it offers 2304x1536, 1920x1080, 1280x720, 640x480, 160x90/);
});
