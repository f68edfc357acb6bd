// The guide's React component, mounted on a page: built with esbuild and run in Chromium by
// src/e2e/frameworks.test.ts. window.example lets the test unmount it and read its session.
import { useEffect, useState } from 'react';
import { createRoot } from 'react-dom/client';
import { connect, type ScanbridgeClient } from '@scanbridge/client';
import '@scanbridge/client/react';

declare global {
  interface Window {
    example: { httpPort: number; session?: string; unmount(): void };
  }
}

export function Scanner() {
  const [client, setClient] = useState<ScanbridgeClient | null>(null);
  useEffect(() => {
    const controller = new AbortController();
    let connected: ScanbridgeClient | null = null;
    connect({ httpPort: window.example.httpPort, storageKey: false, installPrompt: true, signal: controller.signal }).then((c) => {
      window.example.session = c.sessionId;
      setClient((connected = c));
    }, () => undefined);
    return () => {
      controller.abort();
      void connected?.close();
    };
  }, []);
  const scan = async () => (await client!.scan({ device: 'demo:scanner', settings: { source: 'feeder', dpi: 75, options: { sheets: 2 } } })).done;
  return (
    <>
      <button onClick={scan} disabled={!client}>Scan</button>
      <scan-viewer layout="grid" client={client} style={{ height: 400 }} />
    </>
  );
}

const root = createRoot(document.getElementById('app')!);
root.render(<Scanner />);
window.example.unmount = () => root.unmount();
