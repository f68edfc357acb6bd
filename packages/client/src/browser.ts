/**
 * Entry of the single-file build (dist/scanbridge.js, global `scanbridge`)
 * for a <script> tag: the SDK and the viewer, with <scan-viewer> registered.
 */
import { defineScanViewer } from './viewer/index.js';

export * from './index.js';
export * from './viewer/index.js';

if (typeof customElements !== 'undefined') defineScanViewer();
