// The guide's Vue component (its template compiled in the page), mounted: built with esbuild and run in
// Chromium by src/e2e/frameworks.test.ts. window.example lets the test unmount it and read its session.
import { createApp, defineComponent, onMounted, onUnmounted, shallowRef } from 'vue';
import { connect, type ScanbridgeClient } from '@scanbridge/client';
import '@scanbridge/client/vue';

declare global {
  interface Window {
    example: { httpPort: number; session?: string; unmount(): void };
  }
}

const Scanner = defineComponent({
  setup() {
    const client = shallowRef<ScanbridgeClient | null>(null);
    const controller = new AbortController();
    onMounted(async () => {
      client.value = await connect({ httpPort: window.example.httpPort, storageKey: false, installPrompt: true, signal: controller.signal });
      window.example.session = client.value.sessionId;
    });
    onUnmounted(() => {
      controller.abort();
      void client.value?.close();
    });
    const scan = async () => (await client.value!.scan({ device: 'demo:scanner', settings: { source: 'feeder', dpi: 75, options: { sheets: 2 } } })).done;
    return { client, scan };
  },
  template: `
    <button @click="scan" :disabled="!client">Scan</button>
    <scan-viewer layout="grid" :client.prop="client" style="height: 400px" />`,
});

const app = createApp(Scanner);
app.config.compilerOptions.isCustomElement = (tag) => tag === 'scan-viewer';
app.mount('#app');
window.example.unmount = () => app.unmount();
