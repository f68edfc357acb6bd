/**
 * `<scan-viewer>` in React's JSX (React 18 and 19, `react-jsx` or classic):
 * `import '@scanbridge/client/react'` once (it also registers the element),
 * or `import type {} from '@scanbridge/client/react'` for the types alone.
 * React 19 sets `client` as a property; in React 18 set it through a ref.
 */
import type { DetailedHTMLProps, HTMLAttributes } from 'react';
import type { ScanbridgeClient } from '../dist/client.js';
import type { ScanViewer } from '../dist/viewer/scan-viewer.js';
// Brings HTMLElementTagNameMap['scan-viewer'] (for refs).
import type {} from '../dist/viewer/index.js';

export type ScanViewerJsxProps = DetailedHTMLProps<HTMLAttributes<ScanViewer>, ScanViewer> & {
  /** A thumbnail strip (default) or a grid. */
  layout?: 'strip' | 'grid';
  /** The connected client whose pages it shows (a property: React 19 sets it, React 18 needs a ref). */
  client?: ScanbridgeClient | null;
};

declare module 'react' {
  namespace JSX {
    interface IntrinsicElements {
      'scan-viewer': ScanViewerJsxProps;
    }
  }
}

declare global {
  // React 18's types (and the classic runtime) read the global JSX namespace.
  namespace JSX {
    interface IntrinsicElements {
      'scan-viewer': ScanViewerJsxProps;
    }
  }
}
