/**
 * `<scan-viewer>` in Vue templates (Vue 3, checked by vue-tsc / Volar):
 * `import '@scanbridge/client/vue'` once (it also registers the element), or
 * `import type {} from '@scanbridge/client/vue'` for the types alone. Tell
 * Vue's compiler it is a custom element
 * (`compilerOptions.isCustomElement: (tag) => tag === 'scan-viewer'`) and
 * bind the client as a property: `<scan-viewer :client.prop="client" />`.
 */
import type { DefineComponent } from 'vue';
import type { ScanbridgeClient } from '../dist/client.js';
import type {} from '../dist/viewer/index.js';
import type { PageInfo, ScanbridgeError } from '@scanbridge/protocol';

export interface ScanViewerVueProps {
  /** A thumbnail strip (default) or a grid. */
  layout?: 'strip' | 'grid';
  /** The connected client whose pages it shows. */
  client?: ScanbridgeClient | null;
  onSelectionchange?: (event: CustomEvent<{ ids: string[] }>) => void;
  onCurrentchange?: (event: CustomEvent<{ page: PageInfo | null }>) => void;
  onPageschange?: (event: CustomEvent<{ pages: readonly PageInfo[] }>) => void;
  'onScanbridge-error'?: (event: CustomEvent<{ error: ScanbridgeError }>) => void;
}

declare module 'vue' {
  interface GlobalComponents {
    'scan-viewer': DefineComponent<ScanViewerVueProps>;
  }
}

export {};
