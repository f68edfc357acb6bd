/**
 * Live preview: one ffmpeg per camera however many viewers, started by the
 * first viewer and stopped (within a second) when the last one leaves. The
 * stream is MJPEG at a bounded rate and size. A capture pauses the preview of
 * its camera (a V4L2 camera opens once) and resumes it after.
 */
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { ScanbridgeError } from '@scanbridge/protocol/core';
import { spawnTied } from './ffmpeg-process.js';
import { MpjpegReader } from './mpjpeg-reader.js';
import { cameraError } from './camera-errors.js';

export interface Viewer {
  frame(jpeg: Buffer): void;
  /** The stream ended for good (camera gone, service stopping); no more frames come. */
  end(error: ScanbridgeError | null): void;
}

interface Stream {
  viewers: Set<Viewer>;
  child: ChildProcessWithoutNullStreams | null;
  /** Captures running on the camera: while > 0 no preview runs. */
  paused: number;
  starting: boolean;
  /** The frame last sent, so a new viewer sees a picture at once. */
  last: Buffer | null;
}

/** The ffmpeg command line of a camera's preview (resolved per start: the camera may have changed). */
export type PreviewCommand = (deviceId: string) => Promise<{ ffmpeg: string; args: string[] }>;

const STOP_GRACE_MS = 500;

export class PreviewHub {
  private readonly streams = new Map<string, Stream>();
  private closed = false;

  constructor(private readonly command: PreviewCommand) {}

  /** Viewers of a camera right now. */
  viewers(deviceId: string): number {
    return this.streams.get(deviceId)?.viewers.size ?? 0;
  }

  /** The process id of the camera's preview ffmpeg, while one runs. */
  pid(deviceId: string): number | null {
    return this.streams.get(deviceId)?.child?.pid ?? null;
  }

  /** Start watching; returns the function that stops watching. */
  watch(deviceId: string, viewer: Viewer): () => void {
    if (this.closed) {
      viewer.end(new ScanbridgeError('service-stopping', 'the service is stopping'));
      return () => undefined;
    }
    const stream = this.stream(deviceId);
    stream.viewers.add(viewer);
    if (stream.last) viewer.frame(stream.last);
    this.run(deviceId, stream);
    return () => {
      if (!stream.viewers.delete(viewer)) return;
      if (stream.viewers.size === 0) this.stop(deviceId, stream);
    };
  }

  /** Stop the camera's preview while a capture uses the camera; call the function returned to resume it. */
  async pause(deviceId: string): Promise<() => void> {
    const stream = this.stream(deviceId);
    stream.paused += 1;
    await this.kill(stream);
    let resumed = false;
    return () => {
      if (resumed) return;
      resumed = true;
      stream.paused -= 1;
      this.run(deviceId, stream);
    };
  }

  async close(): Promise<void> {
    this.closed = true;
    const error = new ScanbridgeError('service-stopping', 'the service is stopping');
    await Promise.all(
      [...this.streams.values()].map(async (stream) => {
        for (const viewer of stream.viewers) viewer.end(error);
        stream.viewers.clear();
        await this.kill(stream);
      }),
    );
    this.streams.clear();
  }

  private stream(deviceId: string): Stream {
    let stream = this.streams.get(deviceId);
    if (!stream) this.streams.set(deviceId, (stream = { viewers: new Set(), child: null, paused: 0, starting: false, last: null }));
    return stream;
  }

  private run(deviceId: string, stream: Stream): void {
    if (this.closed || stream.child || stream.starting || stream.paused > 0 || stream.viewers.size === 0) return;
    stream.starting = true;
    this.command(deviceId).then(
      ({ ffmpeg, args }) => {
        stream.starting = false;
        if (this.closed || stream.paused > 0 || stream.viewers.size === 0 || stream.child) return;
        const child = spawnTied(ffmpeg, args);
        stream.child = child;
        let stderr = '';
        let frames = 0;
        const reader = new MpjpegReader((frame) => {
          frames += 1;
          stream.last = frame;
          for (const viewer of stream.viewers) viewer.frame(frame);
        });
        child.stdout.on('data', (chunk: Buffer) => reader.push(chunk));
        child.stderr.on('data', (chunk: Buffer) => {
          if (stderr.length < 64 * 1024) stderr += chunk.toString('utf8');
        });
        child.stdin.on('error', () => undefined);
        child.on('error', () => undefined);
        child.on('close', (code, signal) => {
          if (stream.child !== child) return;
          stream.child = null;
          // Stopped on purpose (no viewers, a capture, closing): nothing to tell.
          if (signal || this.closed || stream.paused > 0 || stream.viewers.size === 0) return;
          const error = code === 0 && frames > 0 ? null : cameraError(deviceId, stderr);
          this.endAll(deviceId, stream, error);
        });
      },
      (err: unknown) => {
        stream.starting = false;
        this.endAll(deviceId, stream, err instanceof ScanbridgeError ? err : new ScanbridgeError('io-error', String(err)));
      },
    );
  }

  private endAll(deviceId: string, stream: Stream, error: ScanbridgeError | null): void {
    const viewers = [...stream.viewers];
    stream.viewers.clear();
    stream.last = null;
    for (const viewer of viewers) viewer.end(error);
    if (stream.paused === 0) this.streams.delete(deviceId);
  }

  private stop(deviceId: string, stream: Stream): void {
    stream.last = null;
    void this.kill(stream).then(() => {
      if (stream.viewers.size === 0 && stream.paused === 0 && !stream.child && this.streams.get(deviceId) === stream) this.streams.delete(deviceId);
    });
  }

  /** End the stream's ffmpeg: SIGTERM, SIGKILL if it lingers; resolves once it has exited. */
  private kill(stream: Stream): Promise<void> {
    const child = stream.child;
    if (!child) return Promise.resolve();
    stream.child = null;
    if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
    return new Promise((resolve) => {
      const force = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
      child.once('close', () => {
        clearTimeout(force);
        resolve();
      });
      child.kill('SIGTERM');
    });
  }
}
