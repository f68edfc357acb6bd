/**
 * Headless Firefox for the certificate tests: Debian's firefox-esr (installed
 * by scripts/setup.sh --test), driven through its built-in WebDriver BiDi over
 * a WebSocket (playwright-core drives only its own patched Firefox builds).
 * Always with the caller's HOME and XDG_CONFIG_HOME, so it reads and makes
 * profiles of a temporary user, never the real one's. Nothing is downloaded:
 * a missing browser fails the test.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import WebSocket from 'ws';

export const FIREFOX = process.env['SCANBRIDGE_FIREFOX'] ?? '/usr/bin/firefox-esr';

/** The user Firefox runs as: its environment, so a type rather than an interface (a plain env record). */
export type FirefoxUser = { HOME: string; XDG_CONFIG_HOME: string };

/** What loading a URL gave: the page's text, or the navigation error (SEC_ERROR_UNKNOWN_ISSUER...). */
export type Loaded = { body: string } | { error: string };

interface BidiAnswer {
  id?: number;
  type: 'success' | 'error' | 'event';
  result?: Record<string, unknown>;
  error?: string;
  message?: string;
}

/** Loads `url` in a Firefox started for this one load, and quits it. */
export async function loadOnce(user: FirefoxUser, profile: string, url: string): Promise<Loaded> {
  const firefox = await Firefox.launch(user, profile);
  try {
    return await firefox.load(url);
  } finally {
    await firefox.close();
  }
}

/** `firefox-esr -CreateProfile`: Firefox itself writes profiles.ini (in the root it chooses) and makes the folder. */
export async function createProfile(user: FirefoxUser, spec: string): Promise<void> {
  const child = spawn(FIREFOX, ['--headless', '-CreateProfile', spec], { env: { ...process.env, ...user }, stdio: 'ignore' });
  const code = await new Promise<number | null>((resolve, reject) => child.once('error', reject).once('exit', resolve));
  if (code !== 0) throw new Error(`${FIREFOX} -CreateProfile ${spec} exited with ${code}`);
}

export class Firefox {
  private nextId = 0;
  private readonly waiting = new Map<number, (a: BidiAnswer) => void>();
  private context = '';

  private constructor(
    private readonly child: ChildProcess,
    private readonly ws: WebSocket,
  ) {
    ws.on('message', (data: Buffer) => {
      const answer = JSON.parse(data.toString()) as BidiAnswer;
      if (answer.id !== undefined) this.waiting.get(answer.id)?.(answer);
      if (answer.id !== undefined) this.waiting.delete(answer.id);
    });
  }

  /**
   * Starts Firefox for `user` with `profile`, or without one: then Firefox picks (and on a first
   * run makes) the user's default profile itself, as when a user starts it from the menu.
   */
  static async launch(user: FirefoxUser, profile?: string): Promise<Firefox> {
    const args = ['--headless', '--remote-debugging-port=0', ...(profile ? ['--profile', profile] : [])];
    const child = spawn(FIREFOX, args, { env: { ...process.env, ...user, MOZ_CRASHREPORTER_DISABLE: '1' }, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    const endpoint = await new Promise<string>((resolve, reject) => {
      child.stderr!.on('data', (chunk: Buffer) => {
        stderr += chunk.toString();
        const m = /WebDriver BiDi listening on (ws:\/\/\S+)/.exec(stderr);
        if (m) resolve(m[1]!);
      });
      child.once('error', reject);
      child.once('exit', (code) => reject(new Error(`${FIREFOX} exited with ${code} before WebDriver BiDi listened: ${stderr.slice(-2000)}`)));
    });
    child.stderr!.resume();
    const ws = new WebSocket(`${endpoint}/session`);
    await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
    const firefox = new Firefox(child, ws);
    await firefox.send('session.new', { capabilities: {} });
    const tree = await firefox.send('browsingContext.getTree', {});
    firefox.context = (tree.result!['contexts'] as { context: string }[])[0]!.context;
    return firefox;
  }

  private send(method: string, params: object): Promise<BidiAnswer> {
    const id = ++this.nextId;
    return new Promise((resolve) => {
      this.waiting.set(id, resolve);
      this.ws.send(JSON.stringify({ id, method, params }));
    });
  }

  /** Loads `url` in the tab and answers its text, or the error Firefox gave instead of the page. */
  async load(url: string): Promise<Loaded> {
    const nav = await this.send('browsingContext.navigate', { context: this.context, url, wait: 'complete' });
    if (nav.type === 'error') return { error: nav.message ?? nav.error ?? 'navigation failed' };
    // A JSON answer is shown in Firefox's JSON viewer, which keeps the text as it came in JSONView.json.
    const expression = 'window.JSONView?.json?.textContent ?? document.body.textContent';
    const text = await this.send('script.evaluate', { target: { context: this.context }, expression, awaitPromise: false });
    const value = (text.result?.['result'] as { value?: string } | undefined)?.value;
    return value === undefined ? { error: `could not read the page: ${JSON.stringify(text)}` } : { body: value };
  }

  /** Asks Firefox to quit and waits until it has (it releases the profile then). */
  async close(): Promise<void> {
    if (this.child.exitCode !== null) return;
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    // Firefox may be gone before it answers: the exit is what counts.
    void this.send('browser.close', {});
    await exited;
    this.ws.close();
  }
}
