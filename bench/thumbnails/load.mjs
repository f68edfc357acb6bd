// Load generator (its own process): `connections` keep-alive connections, as a
// browser opens to one host, each sending GET `url` again as soon as the
// previous answer ended, for `seconds`. Prints JSON: answers by status, and
// latency percentiles of the successful ones.
import http from 'node:http';

const [url, headersJson, connections, seconds] = process.argv.slice(2);
const headers = JSON.parse(headersJson);
const agent = new http.Agent({ keepAlive: true, maxSockets: Number(connections) });
const statuses = {};
const latencies = [];
const end = performance.now() + Number(seconds) * 1000;

function once() {
  return new Promise((resolve, reject) => {
    const t = performance.now();
    http
      .get(url, { agent, headers }, (res) => {
        res.on('data', () => {});
        res.on('end', () => {
          statuses[res.statusCode] = (statuses[res.statusCode] ?? 0) + 1;
          if (res.statusCode === 200) latencies.push(performance.now() - t);
          resolve();
        });
      })
      .on('error', reject);
  });
}

const started = performance.now();
await Promise.all(Array.from({ length: Number(connections) }, async () => {
  while (performance.now() < end) await once();
}));
const elapsed = (performance.now() - started) / 1000;
latencies.sort((a, b) => a - b);
const pct = (p) => latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))] ?? NaN;
console.log(JSON.stringify({ statuses, ok: latencies.length, perSecond: latencies.length / elapsed, p50: pct(50), p99: pct(99) }));
agent.destroy();
