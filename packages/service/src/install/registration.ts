/**
 * Registering the monitor to start at login, per platform, and removing it.
 * When the platform's service manager cannot be reached (a container, an SSH
 * session without a user bus), the registration file is still written for the
 * next login and the monitor is started now as a detached process.
 */
import { execFile, spawn } from 'node:child_process';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { LAUNCH_AGENT_LABEL, UNIT_NAME, launchAgentPlist, monitorArgs, systemdUnit, windowsLogonTask, type LaunchCommand } from './service-units.js';

const run = promisify(execFile);
const TASK_NAME = 'scanbridge';

export interface RegistrationEnv {
  platform: NodeJS.Platform;
  env: NodeJS.ProcessEnv;
  homedir: string;
}

export function currentEnv(): RegistrationEnv {
  return { platform: process.platform, env: process.env, homedir: os.homedir() };
}

/** Where the registration lives on this platform. */
export function registrationFile(re: RegistrationEnv, serviceHome: string): string {
  if (re.platform === 'darwin') return path.join(re.homedir, 'Library', 'LaunchAgents', `${LAUNCH_AGENT_LABEL}.plist`);
  if (re.platform === 'win32') return path.join(serviceHome, 'scanbridge-task.xml');
  const config = re.env.XDG_CONFIG_HOME || path.join(re.homedir, '.config');
  return path.join(config, 'systemd', 'user', UNIT_NAME);
}

export function registrationText(re: RegistrationEnv, cmd: LaunchCommand, logDir: string): string {
  if (re.platform === 'darwin') return launchAgentPlist(cmd, logDir);
  if (re.platform === 'win32') return windowsLogonTask(cmd, re.env.USERNAME ?? os.userInfo().username);
  return systemdUnit(cmd);
}

async function tryRun(file: string, args: string[], env: NodeJS.ProcessEnv): Promise<string | null> {
  try {
    await run(file, args, { env, timeout: 30_000 });
    return null;
  } catch (err) {
    const e = err as { stderr?: string; message: string };
    return (e.stderr || e.message).trim().split('\n')[0] ?? 'failed';
  }
}

/** Activate the registration now; answers null when the service manager started it, else why not. */
export async function activate(re: RegistrationEnv, file: string): Promise<string | null> {
  if (re.platform === 'darwin') {
    const uid = os.userInfo().uid;
    return tryRun('launchctl', ['bootstrap', `gui/${uid}`, file], re.env);
  }
  if (re.platform === 'win32') {
    return (await tryRun('schtasks', ['/Create', '/TN', TASK_NAME, '/XML', file, '/F'], re.env)) ?? tryRun('schtasks', ['/Run', '/TN', TASK_NAME], re.env);
  }
  return (await tryRun('systemctl', ['--user', 'daemon-reload'], re.env)) ?? tryRun('systemctl', ['--user', 'enable', '--now', UNIT_NAME], re.env);
}

export async function deactivate(re: RegistrationEnv, file: string): Promise<void> {
  if (re.platform === 'darwin') await tryRun('launchctl', ['bootout', `gui/${os.userInfo().uid}`, file], re.env);
  else if (re.platform === 'win32') await tryRun('schtasks', ['/Delete', '/TN', TASK_NAME, '/F'], re.env);
  else {
    await tryRun('systemctl', ['--user', 'disable', '--now', UNIT_NAME], re.env);
    await tryRun('systemctl', ['--user', 'daemon-reload'], re.env);
  }
}

export async function isRegistered(re: RegistrationEnv, serviceHome: string): Promise<boolean> {
  return fs.access(registrationFile(re, serviceHome)).then(
    () => true,
    () => false,
  );
}

/** Start the monitor detached from this process (when no service manager can). */
export function startDetached(cmd: LaunchCommand): void {
  const [node, ...args] = monitorArgs(cmd);
  const child = spawn(node!, args, { detached: true, stdio: 'ignore' });
  child.unref();
}
