/**
 * Finding cameras and what they offer, per platform: Linux from
 * /sys/class/video4linux and v4l2-ctl (ffmpeg's own listing when v4l-utils is
 * missing), macOS through ffmpeg's avfoundation input, Windows through dshow.
 * Test cameras (TestCameras) are probed with ffmpeg like any input.
 */
import { readdir, readFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import type { Camera, CameraControl, CameraMode } from './camera-model.js';
import { runTool } from './ffmpeg-process.js';
import { parseV4l2CapturesVideo, parseV4l2Card, parseV4l2Controls, parseV4l2Formats } from './v4l2-listing.js';
import { parseAvfoundationDevices, parseAvfoundationModes, parseDshowDevices, parseDshowOptions, parseFfmpegV4l2Formats } from './ffmpeg-listing.js';
import { inputArgs } from './ffmpeg-args.js';

export interface TestCamera {
  name: string;
  /** An absolute path of a video or image file, or `lavfi:<graph>`. */
  source: string;
}

export interface Tools {
  ffmpeg: string;
  /** v4l2-ctl, or null when v4l-utils is missing (ffmpeg's listing is used instead). */
  v4l2ctl: string | null;
  platform: NodeJS.Platform;
  /** Where the kernel lists video nodes (a test may point it elsewhere). */
  sysfs: string;
}

const LIST_LIMIT_MS = 10_000;

export const PREFIX = 'camera:';
export const TEST_PREFIX = 'test-';

export function testCameraOf(test: TestCamera): Camera {
  const input = test.source.startsWith('lavfi:') ? { kind: 'lavfi' as const, graph: test.source.slice(6) } : { kind: 'file' as const, path: test.source };
  return { id: `${PREFIX}${TEST_PREFIX}${test.name}`, name: `Test camera ${test.name}`, input };
}

export async function discoverCameras(tools: Tools, tests: readonly TestCamera[]): Promise<Camera[]> {
  const found = tools.platform === 'linux' ? await linuxCameras(tools) : tools.platform === 'darwin' ? await macCameras(tools) : tools.platform === 'win32' ? await windowsCameras(tools) : [];
  // A test camera whose file was removed is gone, as an unplugged camera is.
  const stand = tests.filter((t) => t.source.startsWith('lavfi:') || existsSync(t.source)).map(testCameraOf);
  return [...found, ...stand];
}

async function linuxCameras(tools: Tools): Promise<Camera[]> {
  let nodes: string[];
  try {
    nodes = (await readdir(tools.sysfs)).filter((n) => /^video\d+$/.test(n));
  } catch {
    return [];
  }
  nodes.sort((a, b) => Number(a.slice(5)) - Number(b.slice(5)));
  const cameras = await Promise.all(
    nodes.map(async (node): Promise<Camera | null> => {
      const dev = `/dev/${node}`;
      const sysName = (await readFile(`${tools.sysfs}/${node}/name`, 'utf8').catch(() => node)).trim();
      if (tools.v4l2ctl) {
        const info = await runTool(tools.v4l2ctl, ['-d', dev, '--info'], { timeoutMs: LIST_LIMIT_MS });
        if (info.code !== 0 || !parseV4l2CapturesVideo(info.stdout.toString('utf8'))) return null;
        return { id: `${PREFIX}${node}`, name: parseV4l2Card(info.stdout.toString('utf8')) ?? sysName, input: { kind: 'v4l2', node: dev } };
      }
      // Without v4l-utils: a node ffmpeg lists no formats for (a metadata node) captures nothing.
      const modes = await ffmpegV4l2Modes(tools.ffmpeg, dev);
      return modes.length > 0 ? { id: `${PREFIX}${node}`, name: sysName, input: { kind: 'v4l2', node: dev } } : null;
    }),
  );
  return cameras.filter((c): c is Camera => c !== null);
}

async function ffmpegV4l2Modes(ffmpeg: string, node: string): Promise<CameraMode[]> {
  const r = await runTool(ffmpeg, ['-hide_banner', '-nostdin', '-f', 'v4l2', '-list_formats', 'all', '-i', node], { timeoutMs: LIST_LIMIT_MS });
  return parseFfmpegV4l2Formats(r.stderr);
}

async function macCameras(tools: Tools): Promise<Camera[]> {
  const r = await runTool(tools.ffmpeg, ['-hide_banner', '-nostdin', '-f', 'avfoundation', '-list_devices', 'true', '-i', ''], { timeoutMs: LIST_LIMIT_MS });
  return parseAvfoundationDevices(r.stderr).map((d) => ({ id: `${PREFIX}avfoundation-${d.index}`, name: d.name, input: { kind: 'avfoundation', index: d.index } }));
}

async function windowsCameras(tools: Tools): Promise<Camera[]> {
  const r = await runTool(tools.ffmpeg, ['-hide_banner', '-nostdin', '-f', 'dshow', '-list_devices', 'true', '-i', 'dummy'], { timeoutMs: LIST_LIMIT_MS });
  return parseDshowDevices(r.stderr).map((name) => ({ id: `${PREFIX}dshow-${encodeURIComponent(name)}`, name, input: { kind: 'dshow', name } }));
}

export interface CameraDetails {
  modes: CameraMode[];
  controls: CameraControl[];
}

/** The modes and controls of a camera; empty modes when it could not be asked (gone, busy). */
export async function probeCamera(tools: Tools, camera: Camera): Promise<CameraDetails> {
  const input = camera.input;
  switch (input.kind) {
    case 'v4l2': {
      if (!tools.v4l2ctl) return { modes: await ffmpegV4l2Modes(tools.ffmpeg, input.node), controls: [] };
      const [formats, ctrls] = await Promise.all([
        runTool(tools.v4l2ctl, ['-d', input.node, '--list-formats-ext'], { timeoutMs: LIST_LIMIT_MS }),
        runTool(tools.v4l2ctl, ['-d', input.node, '--list-ctrls-menus'], { timeoutMs: LIST_LIMIT_MS }),
      ]);
      return { modes: parseV4l2Formats(formats.stdout.toString('utf8')), controls: parseV4l2Controls(ctrls.stdout.toString('utf8')) };
    }
    case 'avfoundation': {
      // avfoundation lists its modes only when refusing one: ask for an impossible rate.
      const r = await runTool(tools.ffmpeg, ['-hide_banner', '-nostdin', '-f', 'avfoundation', '-framerate', '10000', '-i', `${input.index}:none`, '-frames:v', '1', '-f', 'null', '-'], { timeoutMs: LIST_LIMIT_MS });
      return { modes: parseAvfoundationModes(r.stderr), controls: [] };
    }
    case 'dshow': {
      const r = await runTool(tools.ffmpeg, ['-hide_banner', '-nostdin', '-list_options', 'true', '-f', 'dshow', '-i', `video=${input.name}`], { timeoutMs: LIST_LIMIT_MS });
      return { modes: parseDshowOptions(r.stderr), controls: [] };
    }
    case 'file':
    case 'lavfi': {
      const r = await runTool(tools.ffmpeg, ['-hide_banner', '-nostdin', ...inputArgs(input, null).filter((a) => a !== '-re')], { timeoutMs: LIST_LIMIT_MS });
      const mode = parseStreamLine(r.stderr);
      return { modes: mode ? [mode] : [], controls: [] };
    }
  }
}

/** `Stream #0:0: Video: mjpeg (Baseline), yuvj444p(pc, ...), 640x480 [SAR 1:1 DAR 4:3], 30 fps, 30 tbr` */
export function parseStreamLine(text: string): CameraMode | null {
  const m = /Stream #\d+:\d+[^:]*: Video: (\w+)[^,]*, (\w+)(?:\([^)]*\))?, (\d+)x(\d+)[^\n]*/.exec(text);
  if (!m) return null;
  const fps = /([\d.]+) (?:fps|tbr)/.exec(m[0]);
  return { pixelFormat: m[1] === 'mjpeg' ? 'mjpeg' : m[2]!, width: Number(m[3]), height: Number(m[4]), fps: fps ? [Number(fps[1])] : [] };
}
