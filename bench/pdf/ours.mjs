// The scanbridge side of bench/pdf and bench/tiff, through a running service
// as a client would use it: a new session, each file loaded (LoadImages, the
// file as the request body: checked, stored in the buffer), one file saved
// (SaveImages, binary) and written, the session closed.
import http from 'node:http';
import { readFile, writeFile } from 'node:fs/promises';
import { TOKEN_HEADER } from '../../packages/protocol/dist/index.js';

/**
 * Milliseconds for the whole job at `base` with the administrator `token`:
 * `files` (of content type `type`) loaded, saved with `save` (SaveImages params) to `out`.
 */
export async function throughService(base, token, out, files, { type = 'image/jpeg', save = { format: 'pdf' } } = {}) {
  const t = performance.now();
  // One keep-alive connection for the job, closed after it: one the service closed while idle
  // (between rounds) would fail the next request.
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const post = (path, type, body) =>
    new Promise((resolve, reject) => {
      const req = http.request(`${base}${path}`, { method: 'POST', agent, headers: { [TOKEN_HEADER]: token, 'content-type': type, 'content-length': body.length } }, (res) => {
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => (res.statusCode === 200 ? resolve(Buffer.concat(chunks)) : reject(new Error(`${path}: ${res.statusCode} ${Buffer.concat(chunks).toString().slice(0, 300)}`))));
      });
      req.on('error', reject);
      req.end(body);
    });
  const call = (scope, method, body) => post(`/${scope}/${method}`, 'application/json', Buffer.from(JSON.stringify(body)));
  try {
    const session = JSON.parse(await call('fa', 'CreateSession', { params: {} })).result[0].id;
    for (const file of files) await post(`/f/LoadImages?id=${session}&params=${encodeURIComponent('{}')}`, type, await readFile(file));
    await writeFile(out, await call('f', 'SaveImages', { id: session, params: { ...save, binary: true } }));
    await call('f', 'CloseSession', { id: session, params: {} });
  } finally {
    agent.destroy();
  }
  return performance.now() - t;
}
