/**
 * Cameras attached to the browser's machine (a laptop's webcam, a document
 * camera the service cannot see, e.g. on a remote desktop): opened with
 * getUserMedia at the highest resolution the camera offers, a photo taken
 * with ImageCapture.takePhoto where the browser has it (the camera's full
 * still resolution) or else the current video frame, as a JPEG. The client
 * loads it into the session's buffer (ScanbridgeClient.captureBrowserCamera),
 * so it arrives with the same job and page events as a scan.
 */
import { ScanbridgeError } from '@scanbridge/protocol/core';

export interface BrowserCameraInfo {
  /** MediaDeviceInfo.deviceId (empty until the page may use cameras). */
  deviceId: string;
  label: string;
}

/** Cameras the browser offers; labels appear once the user allowed a camera. */
export async function listBrowserCameras(): Promise<BrowserCameraInfo[]> {
  if (!navigator.mediaDevices?.enumerateDevices) return [];
  return (await navigator.mediaDevices.enumerateDevices()).filter((d) => d.kind === 'videoinput').map((d) => ({ deviceId: d.deviceId, label: d.label }));
}

interface ImageCaptureLike {
  takePhoto(settings?: { imageWidth?: number; imageHeight?: number }): Promise<Blob>;
  getPhotoCapabilities?(): Promise<{ imageWidth?: { max?: number }; imageHeight?: { max?: number } }>;
}
type ImageCaptureClass = new (track: MediaStreamTrack) => ImageCaptureLike;

export class BrowserCamera {
  readonly stream: MediaStream;
  readonly track: MediaStreamTrack;
  #video: HTMLVideoElement | null = null;

  private constructor(stream: MediaStream) {
    this.stream = stream;
    this.track = stream.getVideoTracks()[0]!;
  }

  /**
   * Ask for a camera (the browser may ask the user) and switch it to the
   * largest frame it offers. Refusals become ScanbridgeErrors: access-denied
   * (the user or a policy said no), unknown-device (no such camera),
   * device-busy (another program holds it).
   */
  static async open(options: { deviceId?: string } = {}): Promise<BrowserCamera> {
    if (!navigator.mediaDevices?.getUserMedia) throw new ScanbridgeError('driver-unavailable', 'this browser cannot use cameras here (getUserMedia needs a secure context: https or localhost)');
    let stream: MediaStream;
    try {
      stream = await navigator.mediaDevices.getUserMedia({ audio: false, video: { ...(options.deviceId ? { deviceId: { exact: options.deviceId } } : {}), width: { ideal: 8192 }, height: { ideal: 8192 } } });
    } catch (err) {
      throw mediaError(err);
    }
    const camera = new BrowserCamera(stream);
    await camera.#largest();
    return camera;
  }

  /** The frame size the camera sends now. */
  get size(): { width: number; height: number } {
    const s = this.track.getSettings();
    return { width: s.width ?? 0, height: s.height ?? 0 };
  }

  get label(): string {
    return this.track.label;
  }

  /** A photo as a JPEG: ImageCapture.takePhoto at its largest size where available, else the current frame. */
  async takePhoto(): Promise<Blob> {
    if (this.track.readyState !== 'live') throw new ScanbridgeError('device-gone', 'the camera was closed or unplugged; open it again');
    const Capture = (globalThis as { ImageCapture?: ImageCaptureClass }).ImageCapture;
    if (Capture) {
      try {
        const capture = new Capture(this.track);
        const caps = await capture.getPhotoCapabilities?.().catch(() => undefined);
        const width = caps?.imageWidth?.max;
        const height = caps?.imageHeight?.max;
        const photo = await capture.takePhoto(width && height ? { imageWidth: width, imageHeight: height } : undefined);
        if (photo.size > 0) return photo.type === 'image/jpeg' || photo.type === 'image/png' ? photo : await reencode(photo);
      } catch {
        // Some cameras and drivers refuse still capture: the video frame is the photo then.
      }
    }
    return this.#frame();
  }

  close(): void {
    for (const track of this.stream.getTracks()) track.stop();
    this.#video?.remove();
    this.#video = null;
  }

  async #largest(): Promise<void> {
    const caps = this.track.getCapabilities?.();
    const width = caps?.width?.max;
    const height = caps?.height?.max;
    if (!width || !height) return;
    await this.track.applyConstraints({ width: { ideal: width }, height: { ideal: height } }).catch(() => undefined);
  }

  async #frame(): Promise<Blob> {
    const video = (this.#video ??= Object.assign(document.createElement('video'), { muted: true, playsInline: true, srcObject: this.stream }));
    if (video.readyState < 2) {
      await video.play().catch(() => undefined);
      await new Promise<void>((resolve) => {
        if (video.readyState >= 2) return resolve();
        video.addEventListener('loadeddata', () => resolve(), { once: true });
      });
    }
    const canvas = document.createElement('canvas');
    canvas.width = video.videoWidth;
    canvas.height = video.videoHeight;
    canvas.getContext('2d')!.drawImage(video, 0, 0);
    return toJpeg(canvas);
  }
}

function toJpeg(canvas: HTMLCanvasElement): Promise<Blob> {
  return new Promise((resolve, reject) => canvas.toBlob((blob) => (blob ? resolve(blob) : reject(new ScanbridgeError('io-error', 'the camera frame could not be encoded'))), 'image/jpeg', 0.95));
}

async function reencode(photo: Blob): Promise<Blob> {
  const bitmap = await createImageBitmap(photo);
  const canvas = document.createElement('canvas');
  canvas.width = bitmap.width;
  canvas.height = bitmap.height;
  canvas.getContext('2d')!.drawImage(bitmap, 0, 0);
  bitmap.close();
  return toJpeg(canvas);
}

function mediaError(err: unknown): ScanbridgeError {
  const name = (err as { name?: string })?.name ?? '';
  const message = (err as Error)?.message ?? String(err);
  if (name === 'NotAllowedError' || name === 'SecurityError') return new ScanbridgeError('access-denied', `the camera was not allowed (by the user or a browser policy): ${message}`);
  if (name === 'NotFoundError' || name === 'OverconstrainedError') return new ScanbridgeError('unknown-device', `no such camera on this computer: ${message}`);
  if (name === 'NotReadableError' || name === 'AbortError') return new ScanbridgeError('device-busy', `the camera is in use by another program, or failed to start: ${message}`);
  return new ScanbridgeError('io-error', `the camera could not be opened: ${message}`);
}
