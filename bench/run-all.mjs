#!/usr/bin/env node
// npm run bench [-- name...]: runs every bench/*/run.mjs (or those whose
// folder name contains one of the names given) one after another, each as
// its own process, shows their output as it comes, collects every line
// holding a target (`label: ... (target ...) met|NOT met`, from ratioLine
// and valueLine in lib/report.mjs) and prints one table at the end, with the
// machine's load at start and end. A bench that fails is a row saying so,
// and the table goes on.
import { spawn } from 'node:child_process';
import { readdirSync, existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { machineLoad } from './lib/report.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const filters = process.argv.slice(2);
const benches = readdirSync(here, { withFileTypes: true })
  .filter((d) => d.isDirectory() && existsSync(path.join(here, d.name, 'run.mjs')))
  .map((d) => d.name)
  .filter((name) => filters.length === 0 || filters.some((f) => name.includes(f)))
  .sort();
if (benches.length === 0) {
  console.error(`no bench matches ${filters.join(', ')}; there are: ${readdirSync(here).filter((n) => existsSync(path.join(here, n, 'run.mjs'))).join(', ')}`);
  process.exit(2);
}

/** `label: min/median/max ... (target op value) met|NOT met` -> its parts; null for other lines. */
function parseTargetLine(line) {
  const m = /^\s*(.+?):\s+(.*?)\s*\(target ([^)]*)\)\s*(met|NOT met)?\s*$/.exec(line);
  if (!m) return null;
  return { label: m[1], value: m[2].replace(/^(ratio )?min\/median\/max\s*/, ''), target: m[3], verdict: m[4] ?? '?' };
}

function run(name) {
  return new Promise((resolve) => {
    const started = performance.now();
    const child = spawn(process.execPath, [path.join(here, name, 'run.mjs')], { stdio: ['ignore', 'pipe', 'pipe'] });
    const lines = [];
    let tail = '';
    let errTail = '';
    child.stdout.on('data', (chunk) => {
      process.stdout.write(chunk);
      const text = tail + chunk;
      const parts = text.split('\n');
      tail = parts.pop();
      lines.push(...parts);
    });
    child.stderr.on('data', (chunk) => {
      process.stderr.write(chunk);
      errTail = (errTail + chunk).slice(-2000);
    });
    child.on('error', (err) => resolve({ lines, code: null, error: err.message, seconds: 0 }));
    child.on('close', (code, signal) => {
      if (tail) lines.push(tail);
      const lastError = errTail.trim().split('\n').filter((l) => /error/i.test(l)).at(-1) ?? errTail.trim().split('\n').at(-1) ?? '';
      resolve({ lines, code, signal, error: lastError.trim(), seconds: (performance.now() - started) / 1000 });
    });
  });
}

const loadAtStart = machineLoad();
const rows = [];
for (const name of benches) {
  console.log(`\n=== bench/${name} (${new Date().toISOString().slice(11, 19)} UTC; ${machineLoad()})`);
  const result = await run(name);
  const found = result.lines.map(parseTargetLine).filter(Boolean);
  for (const row of found) rows.push({ bench: name, ...row });
  if (result.code !== 0) {
    rows.push({ bench: name, label: `FAILED (exit ${result.code ?? result.signal}) after ${result.seconds.toFixed(0)} s`, value: result.error.slice(0, 120), target: '', verdict: 'FAILED' });
  } else if (found.length === 0) {
    rows.push({ bench: name, label: 'no target line printed', value: '', target: '', verdict: '?' });
  }
}

const headers = ['bench', 'label', 'min/median/max', 'target', 'result'];
const table = rows.map((r) => [r.bench, r.label, r.value, r.target, r.verdict]);
const widths = headers.map((h, i) => Math.min(i === 1 ? 70 : 60, Math.max(h.length, ...table.map((r) => r[i].length))));
const cell = (text, i) => (text.length > widths[i] ? `${text.slice(0, widths[i] - 1)}…` : text.padEnd(widths[i]));
const line = (cells) => `| ${cells.map(cell).join(' | ')} |`;
console.log('\n=== summary');
console.log(`${loadAtStart} (at start)`);
console.log(`${machineLoad()} (at end)`);
console.log(line(headers));
console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
for (const r of table) console.log(line(r));
const notMet = rows.filter((r) => r.verdict !== 'met').length;
console.log(`${rows.length} rows, ${rows.length - notMet} met, ${notMet} not met or failed`);
