#!/usr/bin/env node
// Runs every compiled test file with Node's own test runner. Files are listed
// explicitly because `node --test <dir>` behaves differently on Node 20 and 22+.
//
// Files run side by side: many of the slow ones mostly wait (a 90 s scan job,
// a long poll, a service killed and restarted, Chromium and Firefox starting),
// so even a 2-core machine runs several at once. SCANBRIDGE_TEST_CONCURRENCY
// sets how many (default 4; 1 runs them one after another).
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const filter = process.argv.slice(2);

/**
 * The longest files start first, so that the run does not end waiting for one
 * of them alone. Only an order: a file missing from this list still runs.
 */
const SLOW_FIRST = [
  'install/deb-package.test.js',
  'supervisor/session-soak.test.js',
  'cli/scan-command.test.js',
  'server/long-poll.test.js',
  'security/fuzz.test.js',
  'security/firefox-trust.test.js',
  'e2e/demo.test.js',
  'server/memory-bound.test.js',
  'jobs/job-records-crash.test.js',
  'server/load-atomic.test.js',
  'security/connection-attacks.test.js',
];

function find(dir, out = []) {
  for (const name of readdirSync(dir)) {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) find(full, out);
    else if (name.endsWith('.test.js')) out.push(full);
  }
  return out;
}

const rank = (file) => {
  const i = SLOW_FIRST.findIndex((slow) => file.endsWith(slow));
  return i === -1 ? SLOW_FIRST.length : i;
};

const files = readdirSync(path.join(root, 'packages'))
  .map((pkg) => path.join(root, 'packages', pkg, 'dist'))
  .filter((dist) => { try { return statSync(dist).isDirectory(); } catch { return false; } })
  .flatMap((dist) => find(dist))
  .filter((file) => filter.length === 0 || filter.some((f) => file.includes(f)))
  .sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));

if (files.length === 0) {
  console.error('no test files found: run `npm run build` first');
  process.exit(1);
}
const concurrency = Math.max(1, Number(process.env.SCANBRIDGE_TEST_CONCURRENCY ?? 4) || 4);
// --test-timeout is a hang guard, not a speed limit: a test stuck for 10 minutes fails (and names
// itself) instead of holding CI until its own limit. Speed is measured in bench/.
const result = spawnSync(process.execPath, ['--test', '--test-reporter=spec', `--test-concurrency=${concurrency}`, '--test-timeout=600000', ...files], { stdio: 'inherit', cwd: root });
process.exit(result.status ?? 1);
