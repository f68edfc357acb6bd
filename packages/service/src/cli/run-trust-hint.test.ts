/** `scanbridge run` (what `npm start` runs) says how to make HTTPS pages work: trust the certificate, or that it is trusted. */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { BIN, FREE_PORT_FLAGS, tempHome } from '../test-support/service-harness.js';
import { installTrust } from '../security/trust/service-ca-trust.js';
import type { TrustEnv } from '../security/trust/stores.js';

/** Start `scanbridge run` as a person would (not --quiet), answer its HTTPS line, stop it. */
async function httpsLine(home: string, userHome: string): Promise<string> {
  const flags = Object.entries(FREE_PORT_FLAGS).flatMap(([k, v]) => [`--${k}`, v]);
  const child = spawn(process.execPath, [BIN, 'run', '--home', home, '--sane-scanners', 'false', ...flags], { env: { ...process.env, HOME: userHome, SCANBRIDGE_HOME: '' } });
  let out = '';
  const exited = new Promise((resolve) => child.once('exit', resolve));
  try {
    return await new Promise<string>((resolve, reject) => {
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        const line = /^HTTPS: .*$/m.exec(out);
        if (line) resolve(line[0]);
      });
      child.once('exit', (code) => reject(new Error(`scanbridge run exited ${code}: ${out}`)));
    });
  } finally {
    child.kill('SIGTERM');
    await exited;
  }
}

describe('scanbridge run and the HTTPS certificate', () => {
  let home: string;
  let userHome: string;
  before(async () => {
    home = await tempHome();
    userHome = await mkdtemp(path.join(tmpdir(), 'sb-user-'));
  });
  after(async () => {
    await rm(home, { recursive: true, force: true });
    await rm(userHome, { recursive: true, force: true });
  });

  it('says to run `scanbridge cert install` while browsers do not trust the certificate, and that they do once it ran', async () => {
    assert.match(await httpsLine(home, userHome), /^HTTPS: pages served over https:\/\/ reach scanbridge only once the browser trusts its certificate: run `scanbridge cert install`, then restart the browser/);
    // The temporary user's browser stores only: as root, `scanbridge cert install` would change the machine's store too.
    const te: TrustEnv = { platform: 'linux', userHome, configHome: path.join(userHome, '.config'), env: { ...process.env, HOME: userHome }, admin: false, systemLayout: null };
    const installed = await installTrust(home, te, { system: false });
    assert.ok(installed.stores.every((r) => r.trusted), JSON.stringify(installed.stores));
    assert.match(await httpsLine(home, userHome), /^HTTPS: this user's browsers trust scanbridge's certificate \(Chromium\/Chrome \(NSS\)/);
  });
});
