/**
 * The scanbridge demo: find the service, pick a scanner, scan, look at the
 * pages, edit them and save them. It uses only the public API of
 * @scanbridge/client, so any part of it can be copied into an application.
 */
import { connect, ScanbridgeError, type ScanbridgeClient } from '@scanbridge/client';
import { defineScanViewer, type ScanViewer } from '@scanbridge/client/viewer';
import { renderSettings } from './settings-form.js';
import { deviceLabels } from './device-labels.js';
import { setUpCameraTab } from './camera-tab.js';
import { COMPRESSIONS, compressionOptions, download, ocrOption, saveAs, type Compression, type DemoCompression, type SaveFormat } from './save.js';

defineScanViewer();

const $ = <T extends Element = HTMLElement>(selector: string) => document.querySelector<T>(selector)!;
const status = $('#status');
const errorBox = $('#error');
const form = $<HTMLFormElement>('#scan-form');
const deviceSelect = $<HTMLSelectElement>('#device');
const settingsBox = $('#settings');
const scanButton = $<HTMLButtonElement>('#scan');
const progress = $('#progress');
const viewer = $<ScanViewer>('scan-viewer');
const uploadForm = $<HTMLFormElement>('#upload-form');
const uploadButton = $<HTMLButtonElement>('#upload');
const uploadBar = $<HTMLProgressElement>('#upload-progress');
const uploadStatus = $('#upload-status');
const splitSelect = $<HTMLSelectElement>('#split');
const dropSeparators = $<HTMLInputElement>('#drop-separators');
const codesBox = $('#codes-box');
const codesList = $('#codes');
const documentsBox = $('#documents-box');
const documentsList = $('#documents');
const saveDocuments = $<HTMLButtonElement>('#save-documents');

/** Every failure is a ScanbridgeError with a stable code and a message that says what to do. */
function showError(err: unknown): void {
  const message = err instanceof ScanbridgeError ? `${err.message} (${err.code})` : String((err as Error)?.message ?? err);
  errorBox.textContent = message;
  errorBox.hidden = false;
}

/** Run a button's work: disabled while it runs, errors shown instead of thrown. */
async function busy(button: HTMLButtonElement | null, work: () => Promise<unknown>): Promise<void> {
  errorBox.hidden = true;
  if (button) button.disabled = true;
  try {
    await work();
  } catch (err) {
    showError(err);
  } finally {
    if (button) button.disabled = false;
  }
}

function setStatus(client: ScanbridgeClient): void {
  const text = { connected: `Connected to scanbridge ${client.service.version}`, reconnecting: 'Connection lost, reconnecting…', closed: 'Disconnected' };
  status.textContent = text[client.state];
  status.dataset.state = client.state;
}

async function main(): Promise<void> {
  // 1. Find the service. Served by scanbridge itself, the page carries where its API
  //    listens and the grant that gets this page access (a link cannot point it
  //    elsewhere); a copy served elsewhere reads the ports from ?http=&https=, or
  //    leaves the default ports.
  const served = document.querySelector<HTMLMetaElement>('meta[name="scanbridge-service"]');
  const query = new URLSearchParams(served ? served.content : location.search);
  const port = (name: string) => (query.get(name) ? Number(query.get(name)) : undefined);
  const grant = served ? (query.get('grant') ?? undefined) : undefined;
  const client = await connect({ httpPort: port('http'), httpsPort: port('https'), installPrompt: true, ...(grant ? { grant } : {}) });
  // Handy in the browser console (and used by the end-to-end tests), as soon as there is a client.
  Object.assign(window, { scanbridgeDemo: { client, viewer } });
  setStatus(client);
  client.on('connection', (change) => {
    setStatus(client);
    // The client gave up (the user did not allow this page, or another version of scanbridge runs): say why.
    if (change.state === 'closed' && change.error) showError(change.error);
  });

  // 2. The viewer shows the session's buffer and follows it (scans, edits, restarts).
  viewer.client = client;
  viewer.addEventListener('scanbridge-error', (e) => showError((e as CustomEvent<{ error: ScanbridgeError }>).detail.error));

  // 3. Scanners, and a settings form built from the chosen one's capabilities.
  //    While they load, the form is busy and Scan waits: settings typed into the
  //    old form would be thrown away by the new one.
  let readSettings = () => ({});
  const showCapabilities = () =>
    busy(null, async () => {
      const device = deviceSelect.value;
      if (settingsBox.dataset.device === device) return;
      settingsBox.setAttribute('aria-busy', 'true');
      scanButton.disabled = true;
      try {
        const caps = await client.getCapabilities({ device });
        // Another scanner was chosen meanwhile: its own answer fills the form.
        if (deviceSelect.value !== device) return;
        readSettings = renderSettings(settingsBox, caps);
        settingsBox.dataset.device = device;
      } finally {
        if (deviceSelect.value === device) {
          settingsBox.removeAttribute('aria-busy');
          scanButton.disabled = false;
        }
      }
    });
  const showDevices = async () => {
    const devices = await client.listDevices();
    const chosen = deviceSelect.value;
    const labels = deviceLabels(devices);
    deviceSelect.replaceChildren(...devices.map((d, i) => new Option(labels[i], d.id, false, d.id === chosen)));
    deviceSelect.disabled = devices.length === 0;
    if (devices.length > 0) return showCapabilities(); // nothing to do when the chosen one is still there
    scanButton.disabled = true;
    settingsBox.replaceChildren();
    delete settingsBox.dataset.device;
    status.textContent += ' — no scanner found';
  };
  deviceSelect.addEventListener('change', () => void showCapabilities());
  // A scanner plugged in or unplugged: the service tells every connected page.
  client.on('devices', () => void busy(null, showDevices));
  // The tabs work at once: set up before the device list, which can take a moment.
  setUpCameraTab(client, viewer, showError);
  await showDevices();

  // 4. Scan: pages appear in the viewer as they arrive; the job reports progress and ends.
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    void busy(scanButton, async () => {
      progress.textContent = 'Scanning…';
      // Split as the pages arrive: on separator sheets with a barcode, a patch code or a blank page.
      const on = splitSelect.value as '' | 'barcode' | 'patch' | 'blank';
      const split = on ? { split: { on, dropSeparator: dropSeparators.checked } } : {};
      const job = await client.scan({ device: deviceSelect.value, settings: { ...readSettings(), ...split } });
      job.on('progress', (p) => (progress.textContent = `Scanning page ${p.page}… ${Math.round(p.fraction * 100)}%`));
      let pages = 0;
      try {
        for await (const _page of job.pages()) progress.textContent = `${++pages} page(s) scanned`;
      } finally {
        // A paper jam ends the loop with its error; the pages before it are in the buffer.
        progress.textContent = `${pages} page(s) scanned${job.info.state === 'done' ? '.' : ` — ${job.info.state}`}`;
      }
    });
  });

  // Documents: listed under the viewer (which marks where each ends), saved one PDF each.
  const showDocuments = async () => {
    const docs = await client.getDocuments();
    documentsList.replaceChildren(
      ...docs.map((d, i) => {
        const item = document.createElement('li');
        item.textContent = `${d.barcode ? d.barcode.text : `Document ${i + 1}`}: ${d.pageIds.length} page(s)`;
        return item;
      }),
    );
    documentsBox.hidden = docs.length === 0;
    saveDocuments.hidden = docs.length === 0;
  };
  client.on('buffer', (e) => {
    if (e.action === 'documents' || e.action === 'remove') void busy(null, showDocuments);
  });
  saveDocuments.addEventListener('click', () =>
    void busy(saveDocuments, async () => {
      const files = await client.save({ format: 'pdf', eachDocument: true, ...compressionOptions(compression()) });
      for (const file of files) download(file.blob, file.name);
    }),
  );

  // 5. Edit. The viewer acts on the selected pages (or the current one).
  const actions: Record<string, () => Promise<unknown>> = {
    'select-all': async () => viewer.selectAll(),
    'rotate-left': () => viewer.rotateSelected(-90),
    'rotate-right': () => viewer.rotateSelected(90),
    delete: () => viewer.deleteSelected(),
    crop: async () => {
      const page = viewer.current;
      const area = page && (await viewer.drawRect());
      if (page && area) await client.cropImages({ pages: [page.id], ...area });
    },
    // Every code on every page, listed per page; the viewer outlines those of the page shown.
    'read-barcodes': async () => {
      const all = viewer.pages.map((p) => p.id);
      if (all.length === 0) return;
      progress.textContent = 'Reading barcodes…';
      const results = await client.readBarcodes({ pages: all });
      viewer.showBarcodes(results);
      codesList.replaceChildren(
        ...results.map((r) => {
          const item = document.createElement('li');
          item.dataset.page = r.page;
          item.textContent = `Page ${r.index + 1}: ${r.barcodes.length ? r.barcodes.map((b) => `${b.format} ${b.text}`).join('; ') : 'no code'}`;
          return item;
        }),
      );
      codesBox.hidden = false;
      const found = results.reduce((n, r) => n + r.barcodes.length, 0);
      progress.textContent = `${found} code(s) on ${results.length} page(s).`;
    },
    'mark-blank': async () => {
      const all = viewer.pages.map((p) => p.id);
      if (all.length === 0) return;
      const results = await client.detectBlankImages({ pages: all });
      const blank = results.filter((r) => r.blank).map((r) => r.page);
      // The tag "blank" shows as a badge in the viewer; selecting them makes Delete one key away.
      await client.setImageTags({ pages: all, tags: ['blank'], mode: 'remove' });
      if (blank.length > 0) await client.setImageTags({ pages: blank, tags: ['blank'], mode: 'add' });
      viewer.select(blank);
      progress.textContent = blank.length ? `${blank.length} blank page(s) selected: press Delete to remove them.` : 'No blank page.';
    },
    // Text of every page (or the selected ones), in the languages typed; each page's words are drawn over it in the viewer.
    recognise: async () => {
      const selected = viewer.selectedIds;
      const ids = selected.length > 0 ? selected : viewer.pages.map((p) => p.id);
      if (ids.length === 0) return;
      const languages = $<HTMLInputElement>('#recognise-languages').value.split(/[+,\s]+/).filter(Boolean);
      const section = $('#ocr');
      const out = $('#ocr-pages');
      const note = $('#ocr-progress');
      section.hidden = false;
      note.textContent = `Recognising ${ids.length} page(s)…`;
      const off = client.on('ocr', (e) => (note.textContent = `Recognised ${e.done} of ${e.total} page(s)…`));
      try {
        const results = await client.recognize({ pages: ids, languages, output: ['text', 'words'] });
        out.replaceChildren(
          ...results.flatMap((r) => {
            const title = document.createElement('h3');
            title.textContent = `Page ${r.index + 1}`;
            const text = document.createElement('pre');
            text.className = 'ocr-text';
            text.dataset.page = r.page;
            text.textContent = r.text || '(no text)';
            if (r.words) viewer.showWords(r.words);
            return [title, text];
          }),
        );
        note.textContent = `${results.length} page(s) recognised.`;
      } finally {
        off();
      }
    },
  };
  for (const button of document.querySelectorAll<HTMLButtonElement>('[data-action]')) {
    button.addEventListener('click', () => void busy(button, actions[button.dataset.action!]!));
  }

  // 6. Save as a file the browser downloads: PDF and TIFF take every page in the order shown,
  //    JPEG the selected pages (or the current one), one file each.
  //    Compression (PDF and TIFF, saved or uploaded): auto makes a 20-page colour document
  //    a few MB (text and codes as sharp as scanned); lossless keeps every pixel.
  // Searchable PDF: each page's text recognised (OCR, in the languages of Recognise text) and laid invisibly under its image.
  const searchable = (checked: boolean) => ocrOption(checked, $<HTMLInputElement>('#recognise-languages').value);
  const compression = (): Compression => {
    const chosen = $<HTMLSelectElement>('#compression').value as DemoCompression;
    const quality = Math.round(Number($<HTMLInputElement>('#quality').value));
    return { compression: COMPRESSIONS.includes(chosen) ? chosen : 'auto', quality: quality >= 1 && quality <= 100 ? quality : 80 };
  };
  for (const button of document.querySelectorAll<HTMLButtonElement>('[data-save]')) {
    const format = button.dataset.save as SaveFormat;
    const pages = () => (format === 'jpeg' ? (viewer.selectedIds.length ? viewer.selectedIds : [viewer.current?.id ?? '']) : viewer.pages.map((p) => p.id));
    button.addEventListener('click', () => void busy(button, () => saveAs(client, format, pages().filter(Boolean), compression(), searchable($<HTMLInputElement>('#searchable').checked))));
  }

  // 7. Upload to your server. The service encodes the pages and sends the file
  //    itself (retrying when the network fails), so the page never holds it.
  //    The URL must be on this page's own origin, or listed by the
  //    administrator in UploadDestinations of scanbridge.ini.
  uploadForm.addEventListener('submit', (e) => {
    e.preventDefault();
    void busy(uploadButton, async () => {
      const form = new FormData(uploadForm);
      const url = String(form.get('url'));
      const format = form.get('format') === 'tiff' ? 'tiff' : 'pdf';
      const pages = viewer.pages.map((p) => p.id);
      if (pages.length === 0) {
        uploadStatus.textContent = 'Nothing to upload yet: scan some pages first.';
        return;
      }
      uploadStatus.textContent = 'Uploading…';
      Object.assign(uploadBar, { hidden: false, value: 0 });
      try {
        const upload = await client.upload({
          destination: form.get('method') === 'put' ? { method: 'put', url } : { method: 'post', url, fieldName: 'file' },
          format,
          pages,
          fileName: 'scan',
          ...compressionOptions(compression()),
          ...(format === 'pdf' ? searchable(form.get('searchable') === 'on') : {}),
        });
        // A POST streams pages as they are encoded (its size is known at the end): count pages there.
        upload.on('progress', (u) => (uploadBar.value = u.bytesTotal > 0 ? u.bytesSent / u.bytesTotal : u.pagesDone / u.pages));
        // done rejects with a ScanbridgeError (the server's answer in its details) when the server refused the file.
        const done = await upload.done;
        uploadBar.value = 1;
        uploadStatus.textContent = `Uploaded ${done.pages} page(s), ${(done.bytesTotal / 1e6).toFixed(1)} MB: the server answered ${done.response?.status ?? '?'}.`;
      } catch (err) {
        uploadStatus.textContent = 'The upload failed; the pages are still here.';
        throw err;
      } finally {
        uploadBar.hidden = true;
      }
    });
  });

}

main().catch(showError);
