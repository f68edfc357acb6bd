// The upload receiver, in its own process so that it is never the bottleneck
// and takes no time from the service: every POST's body is read and thrown
// away; GET /last answers how many bytes the last POST carried. Prints its port.
import http from 'node:http';

let last = 0;
const server = http.createServer((req, res) => {
  if (req.method === 'GET' && req.url === '/last') return res.end(JSON.stringify({ bytes: last }));
  let bytes = 0;
  req.on('data', (chunk) => (bytes += chunk.length));
  req.on('end', () => {
    last = bytes;
    res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
  });
});
server.listen(0, '127.0.0.1', () => console.log(server.address().port));
