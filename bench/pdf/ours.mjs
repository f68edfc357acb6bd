// The scanbridge side of bench/pdf, through a running service as a client
// would use it: a new session, each JPEG file loaded (LoadImages, the file as
// the request body: checked, stored in the buffer), one PDF saved
// (SaveImages, binary) and written to a file, the session closed. JPEG
// pages pass into the PDF byte for byte whatever the compression.
import { readFile, writeFile } from 'node:fs/promises';
import { TOKEN_HEADER } from '../../packages/protocol/dist/index.js';

/** Milliseconds for the whole job at `base` with the administrator `token`. */
export async function throughService(base, token, out, files) {
  const t = performance.now();
  const headers = { [TOKEN_HEADER]: token };
  const call = async (scope, method, body) => {
    const res = await fetch(`${base}/${scope}/${method}`, { method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    if (res.status !== 200) throw new Error(`${method}: ${res.status} ${await res.text()}`);
    return res;
  };
  const session = (await (await call('fa', 'CreateSession', { params: {} })).json()).result[0].id;
  for (const file of files) {
    const res = await fetch(`${base}/f/LoadImages?id=${session}&params=${encodeURIComponent('{}')}`, { method: 'POST', headers: { ...headers, 'content-type': 'image/jpeg' }, body: await readFile(file) });
    if (res.status !== 200) throw new Error(`LoadImages: ${res.status} ${await res.text()}`);
    await res.arrayBuffer();
  }
  const saved = await call('f', 'SaveImages', { id: session, params: { format: 'pdf', binary: true } });
  await writeFile(out, Buffer.from(await saved.arrayBuffer()));
  await call('f', 'CloseSession', { id: session, params: {} });
  return performance.now() - t;
}
