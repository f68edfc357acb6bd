/** Side-effect entry: `import "@scanbridge/client/viewer/define"` registers <scan-viewer>. */
import { defineScanViewer } from './index.js';

defineScanViewer();
