/**
 * Debian's sane-airscan as an independent eSCL client of our server, through
 * `scanimage`: a SANE configuration folder of its own (only the airscan
 * backend, one device listed by URL, discovery off), so the machine's
 * scanners and the network play no part.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

export interface AirscanClient {
  /** The SANE device name of the server's scanner, e.g. `airscan:e0:scanbridge`. */
  device: string;
  env: { SANE_CONFIG_DIR: string };
  remove(): Promise<void>;
}

export async function airscanClient(url: string, name = 'scanbridge'): Promise<AirscanClient> {
  const dir = await mkdtemp(path.join(tmpdir(), 'scanbridge-airscan-'));
  await writeFile(path.join(dir, 'dll.conf'), 'airscan\n');
  await writeFile(path.join(dir, 'airscan.conf'), `[devices]\n"${name}" = ${url}, eSCL\n\n[options]\ndiscovery = disable\n`);
  return { device: `airscan:e0:${name}`, env: { SANE_CONFIG_DIR: dir }, remove: () => rm(dir, { recursive: true, force: true }) };
}

export interface ScanimageResult {
  code: number;
  stdout: Buffer;
  stderr: string;
}

/** Runs scanimage and answers whatever it did (a SANE error is a result here, not an exception). */
export function scanimage(env: { SANE_CONFIG_DIR: string }, args: string[], cwd?: string): Promise<ScanimageResult> {
  return new Promise((resolve, reject) => {
    execFile('scanimage', args, { env: { ...process.env, ...env }, encoding: 'buffer', maxBuffer: 512 << 20, cwd, timeout: 120_000 }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as NodeJS.ErrnoException & { code?: unknown }).code === 'number' ? ((err as unknown as { code: number }).code) : -1) : 0;
      if (err && code === -1) return reject(err);
      resolve({ code, stdout, stderr: stderr.toString() });
    });
  });
}

export interface Pnm {
  magic: string;
  width: number;
  height: number;
  maxval: number;
  data: Buffer;
}

/** The header fields and the pixel bytes of a binary PNM (comments allowed, as SANE writes them). */
export function readPnm(bytes: Buffer): Pnm {
  const fields: string[] = [];
  let at = 0;
  const wanted = bytes.toString('latin1', 0, 2) === 'P4' ? 3 : 4;
  while (fields.length < wanted) {
    while (/\s/.test(String.fromCharCode(bytes[at]!))) at++;
    if (bytes[at] === 0x23) {
      while (bytes[at] !== 0x0a) at++;
      continue;
    }
    const start = at;
    while (!/\s/.test(String.fromCharCode(bytes[at]!))) at++;
    fields.push(bytes.toString('latin1', start, at));
  }
  at++;
  return { magic: fields[0]!, width: Number(fields[1]), height: Number(fields[2]), maxval: Number(fields[3] ?? 1), data: bytes.subarray(at) };
}
