import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseV4l2CapturesVideo, parseV4l2Card, parseV4l2Controls, parseV4l2Formats } from './v4l2-listing.js';
import { parseAvfoundationDevices, parseAvfoundationModes, parseDshowDevices, parseDshowOptions, parseFfmpegV4l2Formats } from './ffmpeg-listing.js';
import { sizesOf } from './camera-model.js';
import { fixture } from './test-fixtures.js';

test('v4l2-ctl --list-formats-ext of a UVC webcam: every format, size and frame rate', () => {
  const modes = parseV4l2Formats(fixture('v4l2-ctl-formats-c920.txt'));
  assert.deepEqual([...new Set(modes.map((m) => m.pixelFormat))], ['yuyv422', 'h264', 'mjpeg']);
  const mjpeg1080 = modes.find((m) => m.pixelFormat === 'mjpeg' && m.width === 1920 && m.height === 1080);
  assert.deepEqual(mjpeg1080?.fps, [30, 24, 20, 15, 10, 7.5, 5]);
  const yuyvBig = modes.find((m) => m.pixelFormat === 'yuyv422' && m.width === 2304);
  assert.deepEqual(yuyvBig, { pixelFormat: 'yuyv422', width: 2304, height: 1536, fps: [2] });
  assert.equal(modes.length, 5 + 2 + 3);
  assert.deepEqual(sizesOf(modes).slice(0, 3), ['2304x1536', '1920x1080', '1280x720']);
});

test('v4l2-ctl --list-formats-ext in the older layout of a document camera', () => {
  const modes = parseV4l2Formats(fixture('v4l2-ctl-formats-document-camera.txt'));
  assert.deepEqual(
    modes.filter((m) => m.pixelFormat === 'mjpeg').map((m) => `${m.width}x${m.height}@${m.fps.join('/')}`),
    ['3264x2448@15', '2592x1944@15', '1920x1080@30', '1280x720@30', '640x480@30'],
  );
  assert.deepEqual(modes.filter((m) => m.pixelFormat === 'yuyv422').map((m) => m.fps), [[30], [1]]);
});

test('a metadata node lists no formats and does not capture video', () => {
  assert.deepEqual(parseV4l2Formats(fixture('v4l2-ctl-formats-metadata.txt')), []);
  assert.equal(parseV4l2CapturesVideo(fixture('v4l2-ctl-info-metadata.txt')), false);
  assert.equal(parseV4l2CapturesVideo(fixture('v4l2-ctl-info-c920.txt')), true);
  assert.equal(parseV4l2Card(fixture('v4l2-ctl-info-c920.txt')), 'HD Pro Webcam C920');
});

test('stepwise sizes offer the common sizes inside the range and its maximum', () => {
  const text = "ioctl: VIDIOC_ENUM_FMT\n\tType: Video Capture\n\n\t[0]: 'YUYV' (YUYV 4:2:2)\n\t\tSize: Stepwise 32x32 - 1920x1080 with step 2/2\n";
  assert.deepEqual(sizesOf(parseV4l2Formats(text)), ['1920x1080', '1280x720', '1024x768', '800x600', '640x480', '320x240']);
});

test('v4l2-ctl --list-ctrls-menus: ranges, values, inactive flags and menus of both naming generations', () => {
  const c920 = parseV4l2Controls(fixture('v4l2-ctl-ctrls-c920.txt'));
  const byName = new Map(c920.map((c) => [c.name, c]));
  assert.deepEqual(byName.get('brightness'), { name: 'brightness', type: 'int', min: 0, max: 255, step: 1, default: 128, value: 128, inactive: false, menu: [] });
  assert.equal(byName.get('focus_absolute')?.inactive, true);
  assert.equal(byName.get('focus_absolute')?.value, 30);
  assert.deepEqual(byName.get('auto_exposure')?.menu, [{ value: 1, label: 'Manual Mode' }, { value: 3, label: 'Aperture Priority Mode' }]);
  assert.deepEqual(byName.get('power_line_frequency')?.menu.map((m) => m.label), ['Disabled', '50 Hz', '60 Hz']);
  assert.equal(byName.get('zoom_absolute')?.max, 500);
  assert.equal(byName.get('focus_automatic_continuous')?.type, 'bool');
  const doc = parseV4l2Controls(fixture('v4l2-ctl-ctrls-document-camera.txt'));
  assert.deepEqual(doc.map((c) => c.name), ['brightness', 'contrast', 'sharpness', 'exposure_auto', 'exposure_absolute', 'focus_absolute', 'focus_auto']);
  assert.equal(doc[0]!.min, -64);
});

test('ffmpeg -f v4l2 -list_formats all: formats and sizes', () => {
  const modes = parseFfmpegV4l2Formats(fixture('ffmpeg-v4l2-list-formats-c920.txt'));
  assert.equal(modes.filter((m) => m.pixelFormat === 'mjpeg').length, 17);
  assert.equal(modes.filter((m) => m.pixelFormat === 'yuyv422').length, 19);
  assert.ok(modes.some((m) => m.pixelFormat === 'yuyv422' && m.width === 2304 && m.height === 1536));
});

test('ffmpeg dshow: video devices only, and their options', () => {
  assert.deepEqual(parseDshowDevices(fixture('ffmpeg-dshow-devices.txt')), ['HD Pro Webcam C920', 'IPEVO V4K']);
  const legacy = '[dshow @ 0x1] DirectShow video devices (some may be both video and audio devices)\n[dshow @ 0x1]  "USB2.0 HD UVC WebCam"\n[dshow @ 0x1]     Alternative name "@device_pnp_x"\n[dshow @ 0x1] DirectShow audio devices\n[dshow @ 0x1]  "Microphone"\n';
  assert.deepEqual(parseDshowDevices(legacy), ['USB2.0 HD UVC WebCam']);
  const modes = parseDshowOptions(fixture('ffmpeg-dshow-options-ipevo.txt'));
  assert.deepEqual(modes[0], { pixelFormat: 'mjpeg', width: 3264, height: 2448, fps: [15, 5] });
  assert.equal(modes.length, 5);
});

test('ffmpeg avfoundation: cameras without screens, and the modes it offers', () => {
  assert.deepEqual(parseAvfoundationDevices(fixture('ffmpeg-avfoundation-devices.txt')), [{ index: 0, name: 'FaceTime HD Camera' }, { index: 1, name: 'IPEVO V4K' }]);
  assert.deepEqual(sizesOf(parseAvfoundationModes(fixture('ffmpeg-avfoundation-modes.txt'))), ['1920x1080', '1080x1920', '1280x720', '640x480']);
});
