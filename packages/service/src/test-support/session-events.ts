/**
 * Tests: the events a session's WebSocket pushes from now on, sorted by kind,
 * as the SDK would receive them (the page's token, not the administrator's).
 */
import WebSocket from 'ws';
import type { BufferEvent, JobEvent, OcrEvent } from '@scanbridge/protocol';
import { tokenFor } from './service-harness.js';

export interface SessionEvents {
  buffer: BufferEvent[];
  job: JobEvent[];
  ocr: OcrEvent[];
  close(): void;
}

export async function sessionEvents(svc: { base: string; ports: { http: number } }, session: string): Promise<SessionEvents> {
  const ws = new WebSocket(`ws://127.0.0.1:${svc.ports.http}/ws?id=${session}&token=${tokenFor(svc.base)}`);
  await new Promise((resolve, reject) => {
    ws.once('open', resolve);
    ws.once('error', reject);
  });
  const buffer: BufferEvent[] = [];
  const job: JobEvent[] = [];
  const ocr: OcrEvent[] = [];
  ws.on('message', (d) => {
    const m = JSON.parse(d.toString()) as { event?: string; data?: unknown };
    if (m.event === 'buffer') buffer.push(m.data as BufferEvent);
    if (m.event === 'job') job.push(m.data as JobEvent);
    if (m.event === 'ocr') ocr.push(m.data as OcrEvent);
  });
  return { buffer, job, ocr, close: () => ws.close() };
}
