/**
 * `scanbridge install` and `scanbridge uninstall`: the monitor registered to
 * start at login, the certificate generated, the service started; and all of
 * it removed again.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import readline from 'node:readline/promises';
import { loadConfig } from '../config/load.js';
import { currentTrustEnv } from '../security/trust/stores.js';
import { activate, currentEnv, deactivate, registrationFile, registrationText, startDetached } from '../install/registration.js';
import type { LaunchCommand } from '../install/service-units.js';
import { waitForService } from '../util/wait-for-service.js';
import { stopCommand } from './stop.js';
import { adminCommand, report } from './cert.js';
import { installTrust, removeTrust } from '../security/trust/service-ca-trust.js';
import { EXIT } from './usage.js';
import { COMMAND_PATH } from './command-path.js';
import type { ParsedValues } from './main.js';

function launchCommand(home: string, values: ParsedValues): LaunchCommand {
  return { node: process.execPath, main: COMMAND_PATH, home: typeof values.home === 'string' ? home : undefined };
}

export async function installCommand(home: string, values: ParsedValues): Promise<number> {
  // Refuse a broken configuration now rather than at every login.
  const { paths } = await loadConfig({ home, env: process.env, flags: {} });
  const te = currentTrustEnv();
  // The user's browsers only: the machine-wide store is an administrator's decision, not a side effect.
  const trust = await installTrust(home, te, { system: false });
  const re = currentEnv();
  const file = registrationFile(re, home);
  await fs.mkdir(path.dirname(file), { recursive: true });
  const text = registrationText(re, launchCommand(home, values), paths.log);
  // Task Scheduler reads its XML as UTF-16 with a byte order mark.
  await fs.writeFile(file, re.platform === 'win32' ? Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]) : text);
  console.log(`registered ${file} (starts scanbridge at login)`);
  for (const line of report('install', trust, home, te)) console.log(line);
  if (te.systemLayout) console.log(`the system store (curl and other programs) was left alone; to trust it there too: ${adminCommand('install', home, te.admin)}`);
  if (values['no-start']) return EXIT.ok;
  const why = await activate(re, file);
  if (why) {
    console.log(`the service manager could not start it now (${why}); starting the monitor in the background`);
    startDetached(launchCommand(home, values));
  }
  const up = await waitForService(home, undefined, 30_000).catch(() => null);
  if (!up) {
    console.error('scanbridge install: the service did not come up within 30 s; see `scanbridge status` and the log folder');
    return EXIT.failure;
  }
  console.log(`scanbridge is running: http://127.0.0.1:${up.ports.http} (welcome page http://127.0.0.1:${up.ports.welcomeHttp}/)`);
  return EXIT.ok;
}

async function confirm(question: string): Promise<boolean> {
  if (!process.stdin.isTTY) return false;
  const rl = readline.createInterface({ input: process.stdin, output: process.stdout });
  try {
    return /^y(es)?$/i.test((await rl.question(`${question} [y/N] `)).trim());
  } finally {
    rl.close();
  }
}

export async function uninstallCommand(home: string, values: ParsedValues): Promise<number> {
  const re = currentEnv();
  const file = registrationFile(re, home);
  await deactivate(re, file);
  await stopCommand(home, { quiet: true });
  await fs.rm(file, { force: true });
  console.log(`removed ${file}`);
  const te = currentTrustEnv();
  const trust = await removeTrust(home, te);
  if (trust) for (const line of report('remove', trust, home, te)) console.log(line);
  if (values.purge || (await confirm(`Delete the service folder ${home} with its scanned pages, logs and certificate?`))) {
    await fs.rm(home, { recursive: true, force: true });
    console.log(`removed ${home}`);
  } else {
    console.log(`kept the service folder ${home} (remove it with \`scanbridge uninstall --purge\`)`);
  }
  return EXIT.ok;
}
