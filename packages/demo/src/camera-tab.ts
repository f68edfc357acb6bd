/**
 * The demo's Camera tab: pick a camera (the service's cameras, or this
 * browser's), show its live picture in the viewer with a Capture button,
 * and each captured page comes into the batch: flattened at once (settings
 * document: true), or with its detected corners to adjust first (the
 * viewer's corner mode) before it is flattened.
 */
import { BrowserCamera, type ScanbridgeClient, type ScanJob } from '@scanbridge/client';
import type { ScanViewer } from '@scanbridge/client/viewer';

const BROWSER = 'browser';

export function setUpCameraTab(client: ScanbridgeClient, viewer: ScanViewer, showError: (err: unknown) => void): void {
  const select = document.querySelector<HTMLSelectElement>('#camera')!;
  const show = document.querySelector<HTMLButtonElement>('#camera-show')!;
  const mode = document.querySelector<HTMLSelectElement>('#camera-page')!;
  const status = document.querySelector<HTMLElement>('#camera-status')!;
  let browserCamera: BrowserCamera | null = null;

  const listCameras = async () => {
    const cameras = (await client.listDevices()).filter((d) => d.driver === 'camera');
    const chosen = select.value;
    select.replaceChildren(...cameras.map((d) => new Option(d.name, d.id, false, d.id === chosen)), new Option("This browser's camera", BROWSER, false, chosen === BROWSER));
    show.disabled = false;
  };
  client.on('devices', () => void listCameras().catch(showError));
  void listCameras().catch(showError);

  // Tabs: Scanner and Camera share the side column.
  const tabs = [...document.querySelectorAll<HTMLButtonElement>('[role=tab]')];
  for (const tab of tabs) {
    tab.addEventListener('click', () => {
      for (const t of tabs) {
        const on = t === tab;
        t.setAttribute('aria-selected', String(on));
        document.getElementById(t.getAttribute('aria-controls')!)!.hidden = !on;
      }
      if (tab.id !== 'tab-camera') closeCamera();
    });
  }

  const closeCamera = () => {
    viewer.hideCamera();
    browserCamera?.close();
    browserCamera = null;
  };

  show.addEventListener('click', () =>
    void (async () => {
      closeCamera();
      if (select.value === BROWSER) {
        browserCamera = await BrowserCamera.open();
        viewer.showCamera({ camera: browserCamera });
        status.textContent = `${browserCamera.label || 'Camera'}: ${browserCamera.size.width} x ${browserCamera.size.height}`;
      } else {
        viewer.showCamera({ deviceId: select.value, settings: mode.value === 'flatten' ? { document: true } : {} });
        status.textContent = 'Live picture shown; Capture adds the page.';
      }
    })().catch(showError),
  );

  viewer.addEventListener('capture', (e) =>
    void (async () => {
      const job = (e as CustomEvent<{ job: ScanJob }>).detail.job;
      const info = await job.done;
      const id = info.pageIds[0];
      if (!id) return;
      status.textContent = 'Page captured.';
      if (mode.value !== 'corners') return;
      // Adjust the detected corners on the new page, then it is flattened.
      viewer.hideCamera();
      await viewer.refresh();
      viewer.setCurrent(id);
      viewer.select([id]);
      const corrected = await viewer.correctPerspective({ paper: 'auto', dpi: 200 });
      status.textContent = corrected ? 'Page flattened.' : 'Page kept as captured.';
    })().catch(showError),
  );
}
