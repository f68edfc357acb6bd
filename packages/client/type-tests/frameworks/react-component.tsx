// A React component as the guide shows it: connect, scan, show the viewer, clean up on unmount.
// Type-checked by src/frameworks-types.test.ts; never run.
import { useEffect, useRef, useState } from 'react';
import { connect, type ScanbridgeClient } from '@scanbridge/client';
import '@scanbridge/client/react';

export function Scanner() {
  const [client, setClient] = useState<ScanbridgeClient | null>(null);
  const viewer = useRef<HTMLElementTagNameMap['scan-viewer']>(null);
  useEffect(() => {
    const controller = new AbortController();
    let connected: ScanbridgeClient | null = null;
    connect({ installPrompt: true, signal: controller.signal }).then((c) => setClient((connected = c)), () => undefined);
    return () => {
      controller.abort();
      void connected?.close();
    };
  }, []);
  const scan = async () => {
    const job = await client!.scan({ device: 'demo:scanner', settings: { source: 'feeder' } });
    await job.done;
  };
  return (
    <div>
      <button onClick={scan} disabled={!client}>Scan</button>
      <scan-viewer ref={viewer} layout="grid" client={client} style={{ height: 400 }} />
      {/* @ts-expect-error: not a layout of <scan-viewer> */}
      <scan-viewer layout="diagonal" />
      {/* @ts-expect-error: client takes a ScanbridgeClient */}
      <scan-viewer client="not a client" />
    </div>
  );
}
