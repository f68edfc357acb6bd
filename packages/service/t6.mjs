import { startInProcess, rpc, adminHeaders } from './dist/test-support/service-harness.js';
import fs from 'node:fs';
import sharp from 'sharp';
const dir = fs.mkdtempSync('/tmp/exp/save-');
const svc = await startInProcess({ 'save-folders': dir });
try {
  const S = (await rpc(svc.base, 'fa', 'CreateSession')).body.result[0].id;
  const jpg = await sharp({create:{width:600,height:800,channels:3,background:'#c84'}}).withDensity(150).jpeg().toBuffer();
  let r = await rpc(svc.base, 'f', 'LoadImages', { data: jpg.toString('base64') }, S);
  console.log(r.status, JSON.stringify(r.body).slice(0, 200));
  const pdf = fs.readFileSync('/tmp/exp/text.pdf');
  const res = await fetch(`${svc.base}/f/LoadImages?id=${S}&params=${encodeURIComponent(JSON.stringify({dpi: 72}))}`, { method: 'POST', headers: { 'content-type': 'application/pdf', ...adminHeaders(svc.base) }, body: pdf });
  console.log(res.status, (await res.text()).slice(0, 200));
  r = await rpc(svc.base, 'f', 'SaveImages', { format: 'pdf', fileName: '../../etc/passwd', folder: 0 }, S);
  console.log(r.status, JSON.stringify(r.body));
  r = await rpc(svc.base, 'f', 'SaveImages', { format: 'tiff' }, S);
  console.log(r.status, JSON.stringify(r.body).slice(0, 300));
  const b = await fetch(`${svc.base}/f/SaveImages`, { method: 'POST', headers: { 'content-type': 'application/json', ...adminHeaders(svc.base) }, body: JSON.stringify({ id: S, params: { format: 'pdf', binary: true, fileName: 'Résumé' } }) });
  const buf = Buffer.from(await b.arrayBuffer());
  console.log(b.status, b.headers.get('content-type'), b.headers.get('content-disposition'), buf.length, buf.subarray(0, 8).toString());
  fs.writeFileSync('/tmp/exp/bin.pdf', buf);
  console.log(fs.readdirSync(dir));
} finally { await svc.close(); }
