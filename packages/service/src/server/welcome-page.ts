/** The welcome page (what http://127.0.0.1:18625 shows): is it running, what does it see. */
import type { ServiceContext } from './context.js';
import { VERSION, VERSION_INFO } from '../version.js';

const README = 'https://github.com/scanbridge/scanbridge';
/** The first-hour guide of the browser SDK: where a web developer starts. */
const SDK_GUIDE = `${README}/blob/main/packages/client/README.md`;

const escape = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function duration(seconds: number): string {
  const d = Math.floor(seconds / 86400);
  const h = Math.floor((seconds % 86400) / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  return [d && `${d} d`, (d || h) && `${h} h`, `${m} min`].filter(Boolean).join(' ');
}

export async function welcomePage(ctx: ServiceContext): Promise<string> {
  const [devices, drivers] = await Promise.all([ctx.devices.list(), ctx.devices.status()]);
  const uptime = (Date.now() - ctx.startedAt.getTime()) / 1000;
  const deviceRows = devices.map((d) => `<tr><td><code>${escape(d.id)}</code></td><td>${escape(d.vendor)} ${escape(d.model)}</td><td>${escape(d.type)}</td></tr>`).join('');
  const driverRows = drivers
    .map((d) => `<li><b>${escape(d.name)}</b>: ${d.available ? 'available' : `unavailable — ${escape(d.reason ?? '')}`}</li>`)
    .join('');
  const sections = [
    ['What scanbridge is', 'what-scanbridge-is'],
    ['Quick start', 'quick-start'],
    ['Configuration', 'configuration'],
    ['Service folder', 'service-folder'],
    ['Protocol', 'protocol'],
  ];
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>scanbridge ${escape(VERSION)}</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:52rem;margin:2rem auto;padding:0 1rem;color:#1b1f24}
table{border-collapse:collapse}td,th{border-bottom:1px solid #ddd;padding:.3rem .8rem;text-align:left}code{background:#f3f4f6;padding:0 .2rem}</style>
</head><body>
<h1>scanbridge is running</h1>
<p>Version <b>${escape(VERSION)}</b> (<code>${escape(VERSION_INFO)}</code>), up for <span id="uptime">${duration(uptime)}</span>,
<span id="sessions">${ctx.sessions.size}</span> session(s).</p>
<p>API on <code>http://127.0.0.1:${ctx.ports.http}</code> and <code>https://127.0.0.1:${ctx.ports.https}</code>.</p>
<p>Try it: the <a href="/demo">demo application</a> scans from any scanner below, including the built-in demo scanner.</p>
<p>Building a web page that scans? Start with the <a id="sdk-guide" href="${SDK_GUIDE}">SDK guide</a> (connect, scan, show the pages, save and upload, in your first hour).</p>
<h2>Scanners</h2>
${devices.length ? `<table id="devices"><thead><tr><th>Id</th><th>Model</th><th>Type</th></tr></thead><tbody>${deviceRows}</tbody></table>` : '<p id="devices">No scanner found.</p>'}
<h2>Websites allowed to scan</h2>
${ctx.approvalsHtml()}
<h2>Drivers</h2><ul>${driverRows}</ul>
<h2>Documentation</h2><ul>${sections.map(([title, anchor]) => `<li><a href="${README}#${anchor}">${title}</a></li>`).join('')}</ul>
</body></html>`;
}
