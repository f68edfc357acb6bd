/**
 * Running the platform's certificate tools (NSS certutil, update-ca-certificates,
 * macOS security, Windows certutil). A tool that is not installed is a clear
 * message saying how to get it, never a crash.
 */
import { spawn } from 'node:child_process';

export interface Tool {
  command: string;
  /** How to get it, for the message when it is missing. */
  install: string;
}

export const NSS_CERTUTIL: Tool = {
  command: 'certutil',
  install: 'install the NSS tools: Debian/Ubuntu package libnss3-tools (`sudo apt-get install libnss3-tools`), Fedora nss-tools, Arch nss',
};

export class ToolMissingError extends Error {
  constructor(readonly tool: Tool) {
    super(`${tool.command} is not installed: ${tool.install}`);
    this.name = 'ToolMissingError';
  }
}

export interface ToolResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs to completion whatever the exit code; only a missing program throws. `env.PATH` finds it. */
export function runTool(tool: Tool, args: string[], env: NodeJS.ProcessEnv): Promise<ToolResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(tool.command, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', (err: NodeJS.ErrnoException) => reject(err.code === 'ENOENT' ? new ToolMissingError(tool) : err));
    child.on('close', (code, signal) => resolve({ code: code ?? (signal ? 128 : 1), stdout, stderr }));
  });
}

/** Like runTool, but a non-zero exit is an error naming the command and what it said. */
export async function runToolOk(tool: Tool, args: string[], env: NodeJS.ProcessEnv): Promise<ToolResult> {
  const result = await runTool(tool, args, env);
  if (result.code !== 0) {
    const said = (result.stderr.trim() || result.stdout.trim()).split('\n').slice(-2).join(' ');
    throw new Error(`${tool.command} ${args[0] ?? ''} failed (exit ${result.code}): ${said}`);
  }
  return result;
}
