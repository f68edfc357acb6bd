#!/usr/bin/env node
// Runs every compiled test file with Node's own test runner. Files are listed
// explicitly because `node --test <dir>` behaves differently on Node 20 and 22+.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const filter = process.argv.slice(2);

function find(dir, out = []) {
  for (const name of readdirSync(dir)) {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) find(full, out);
    else if (name.endsWith('.test.js')) out.push(full);
  }
  return out;
}

const files = readdirSync(path.join(root, 'packages'))
  .map((pkg) => path.join(root, 'packages', pkg, 'dist'))
  .filter((dist) => { try { return statSync(dist).isDirectory(); } catch { return false; } })
  .flatMap((dist) => find(dist))
  .filter((file) => filter.length === 0 || filter.some((f) => file.includes(f)))
  .sort();

if (files.length === 0) {
  console.error('no test files found: run `npm run build` first');
  process.exit(1);
}
// --test-timeout is a hang guard, not a speed limit: a test stuck for 10 minutes fails (and names
// itself) instead of holding CI until its own limit. Speed is measured in bench/.
const result = spawnSync(process.execPath, ['--test', '--test-reporter=spec', '--test-timeout=600000', ...files], { stdio: 'inherit', cwd: root });
process.exit(result.status ?? 1);
