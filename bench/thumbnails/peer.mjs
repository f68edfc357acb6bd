// The peer: a bare node:http server in its own process answering every GET with
// the same thumbnail bytes and headers the service sends (what serving a cached
// thumbnail costs with nothing in front of it). Prints its port.
import http from 'node:http';
import { readFileSync } from 'node:fs';

const bytes = readFileSync(process.argv[2]);
const server = http.createServer((req, res) => {
  res.writeHead(200, { 'content-type': 'image/jpeg', 'cache-control': 'private, no-cache', etag: '"p.1.200x280"', 'x-content-type-options': 'nosniff', 'content-length': bytes.length });
  res.end(bytes);
});
server.keepAliveTimeout = 5000;
server.listen(0, '127.0.0.1', () => console.log(server.address().port));
