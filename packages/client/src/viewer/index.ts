/** The <scan-viewer> element; import "@scanbridge/client/viewer" and call defineScanViewer() (the script-tag build does it for you). */
import { ScanViewer } from './scan-viewer.js';

export { ScanViewer, type CropRect, type CorrectedPage, type PerspectiveOptions } from './scan-viewer.js';
export type { CameraSource } from './camera-panel.js';
export { pick, inOrder, dropIndex, type SelectionState } from './selection.js';

/** Register <scan-viewer> (or another tag name) once. */
export function defineScanViewer(tag = 'scan-viewer'): void {
  if (!customElements.get(tag)) customElements.define(tag, tag === 'scan-viewer' ? ScanViewer : class extends ScanViewer {});
}

declare global {
  interface HTMLElementTagNameMap {
    'scan-viewer': ScanViewer;
  }
}
