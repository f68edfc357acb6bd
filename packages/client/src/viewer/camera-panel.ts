/**
 * The camera view of <scan-viewer>: a live picture over the large page with
 * a Capture button. A service-side camera (`camera:` id) is shown through
 * its signed MJPEG preview URL in an <img> (the service stops the camera's
 * preview when the <img> goes); a browser camera (BrowserCamera) through a
 * <video>. Capture scans with the service camera, or loads the browser
 * camera's photo: either way a job with the events of a scan.
 */
import type { ScanSettingsInput } from '@scanbridge/protocol';
import type { ScanbridgeClient } from '../client.js';
import type { BrowserCamera } from '../browser-camera.js';
import type { ScanJob } from '../scan-job.js';

export type CameraSource = { deviceId: string; settings?: ScanSettingsInput } | { camera: BrowserCamera };

export interface CameraPanelHooks {
  captured(job: ScanJob): void;
  failed(err: unknown): void;
  closed(): void;
}

export const CAMERA_STYLE = `
.camera { position: absolute; inset: 0; display: flex; flex-direction: column; background: #111; z-index: 2; }
.camera .view { flex: 1; min-height: 0; width: 100%; object-fit: contain; }
.camera .bar { display: flex; gap: 8px; justify-content: center; padding: 8px; }
.camera button { font: inherit; padding: 6px 16px; border-radius: 4px; border: 1px solid #888; background: #fff; cursor: pointer; }
.camera button.capture { background: #1a5fb4; color: #fff; border-color: #1a5fb4; }
.camera button:disabled { opacity: .6; cursor: progress; }
`;

export class CameraPanel {
  readonly element: HTMLElement;
  readonly #view: HTMLImageElement | HTMLVideoElement;
  readonly #capture: HTMLButtonElement;

  constructor(
    private readonly client: ScanbridgeClient,
    readonly source: CameraSource,
    private readonly hooks: CameraPanelHooks,
  ) {
    this.element = document.createElement('div');
    this.element.className = 'camera';
    this.element.setAttribute('part', 'camera');
    this.element.setAttribute('role', 'group');
    this.element.setAttribute('aria-label', 'Camera');
    if ('camera' in source) {
      const video = document.createElement('video');
      video.muted = true;
      video.playsInline = true;
      video.autoplay = true;
      video.srcObject = source.camera.stream;
      this.#view = video;
    } else {
      const img = document.createElement('img');
      img.alt = 'Live camera picture';
      img.src = client.previewUrl(source.deviceId);
      this.#view = img;
    }
    this.#view.className = 'view';
    this.#view.setAttribute('part', 'camera-view');
    const bar = document.createElement('div');
    bar.className = 'bar';
    this.#capture = button('Capture', 'capture', () => void this.capture());
    bar.append(this.#capture, button('Close camera', 'close', () => this.hooks.closed()));
    this.element.append(this.#view, bar);
  }

  /** Take the picture; resolves with the job (already reported to `captured`), or null when it failed. */
  async capture(): Promise<ScanJob | null> {
    this.#capture.disabled = true;
    try {
      const job = 'camera' in this.source ? await this.client.captureBrowserCamera(this.source.camera) : await this.client.scan({ device: this.source.deviceId, settings: this.source.settings ?? {} });
      this.hooks.captured(job);
      await job.done;
      return job;
    } catch (err) {
      this.hooks.failed(err);
      return null;
    } finally {
      this.#capture.disabled = false;
    }
  }

  /** Stop showing the camera: the <img> lets go of the preview stream (the service then stops it). */
  destroy(): void {
    if (this.#view instanceof HTMLImageElement) this.#view.removeAttribute('src');
    else this.#view.srcObject = null;
    this.element.remove();
  }
}

function button(text: string, name: string, onClick: () => void): HTMLButtonElement {
  const b = document.createElement('button');
  b.type = 'button';
  b.className = name;
  b.textContent = text;
  b.setAttribute('part', `${name}-button`);
  b.addEventListener('click', onClick);
  return b;
}
