/**
 * A scanner smaller than A4 (the SANE test backend configured to 200 x 200 mm,
 * as cheque, ID-card and many flatbed scanners are) through `scanbridge scan`:
 * the defaults scan its whole area, `--area` and `--paper WxH` scan part of it,
 * and sizes it cannot take are refused naming its bounds. Page sizes are read
 * back by pdfinfo.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { rpc, runCli, startChild, tempHome, type ChildService } from '../test-support/service-harness.js';
import { createTestBackend, type TestBackend } from '../devices/sane/test-backend.js';

const run = promisify(execFile);
const PT_PER_MM = 72 / 25.4;

async function pageSizeMm(file: string): Promise<[number, number]> {
  const m = /Page size:\s+([\d.]+) x ([\d.]+) pts/.exec((await run('pdfinfo', [file])).stdout);
  assert.ok(m, 'pdfinfo names the page size');
  return [Number(m[1]) / PT_PER_MM, Number(m[2]) / PT_PER_MM];
}

function near([w, h]: [number, number], [ew, eh]: [number, number], what: string): void {
  // One pixel at 50 dpi is 0.5 mm.
  assert.ok(Math.abs(w - ew) <= 1 && Math.abs(h - eh) <= 1, `${what}: ${w.toFixed(1)} x ${h.toFixed(1)} mm, expected ${ew} x ${eh}`);
}

describe('a 200 x 200 mm SANE scanner', () => {
  let backend: TestBackend;
  let home: string;
  let svc: ChildService;
  const scan = (...args: string[]) => runCli(['scan', '--home', home, '--device', 'sane:test:0', '--mode', 'gray', '--dpi', '50', ...args]);

  before(async () => {
    backend = await createTestBackend(1, { geometry_max: '200.0' });
    home = await tempHome();
    svc = await startChild(home, [], backend.env);
  });
  after(async () => {
    await svc.stop();
    await rm(home, { recursive: true, force: true });
    await backend.remove();
  });

  it('offers its area and the paper sizes that fit', async () => {
    const caps = (await rpc(svc.base, 'fa', 'GetCapabilities', { device: 'sane:test:0' })).body.result![0] as { maxArea: object; paperSizes: string[] };
    assert.deepEqual(caps.maxArea, { width: 200, height: 200 });
    assert.deepEqual(caps.paperSizes, []);
  });

  it('scans its whole area when no paper or area is given', async () => {
    const out = path.join(home, 'whole.pdf');
    const r = await scan('--out', out);
    assert.equal(r.code, 0, r.stderr);
    near(await pageSizeMm(out), [200, 200], 'default');
  });

  it('scans a part with --area X,Y,W,H and a size with --paper WxH, in millimetres', async () => {
    const area = path.join(home, 'area.pdf');
    const r = await scan('--area', '20,30,85.6,54', '--out', area);
    assert.equal(r.code, 0, r.stderr);
    near(await pageSizeMm(area), [85.6, 54], '--area');
    const paper = path.join(home, 'paper.pdf');
    const p = await scan('--paper', '100x150', '--out', paper);
    assert.equal(p.code, 0, p.stderr);
    near(await pageSizeMm(paper), [100, 150], '--paper');
  });

  it('refuses a paper larger than the device naming its maximum, and an area outside naming the bounds', async () => {
    const a4 = await scan('--paper', 'A4', '--out', path.join(home, 'a4.pdf'));
    assert.equal(a4.code, 1);
    assert.match(a4.stderr, /^scanbridge scan: invalid-settings: paper A4 \(210 x 297 mm\) does not fit the scan area of sane:test:0; allowed: an area within 200 x 200 mm\n$/);
    const outside = await scan('--area', '150,0,100,100', '--out', path.join(home, 'outside.pdf'));
    assert.equal(outside.code, 1);
    assert.match(outside.stderr, /^scanbridge scan: invalid-settings: area 100 x 100 mm at \(150, 0\) reaches outside the scan area of sane:test:0: x from 0 to 200 mm, y from 0 to 200 mm/);
    const bad = await scan('--area', '1,2,3', '--out', path.join(home, 'bad.pdf'));
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /--area 1,2,3: expected X,Y,WIDTH,HEIGHT in millimetres/);
  });
});
