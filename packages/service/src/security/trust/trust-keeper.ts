/**
 * Keeps the service folder's CA trusted in this user's browser stores while
 * the monitor runs: every store at start and every day, and a Firefox profile
 * made in between (a new user's first Firefox start, a profile from the
 * profile manager) within seconds, so its first visit does not meet
 * SEC_ERROR_UNKNOWN_ISSUER (a Firefox that met the certificate untrusted keeps
 * that until restarted, so sooner is better). fs.watch on each Firefox root
 * (or its nearest existing parent below $HOME) sees profiles.ini change; a short rescan
 * covers what a watch cannot: an absolute profile folder made after its
 * entry, a root whose parents do not exist either, a file system without
 * inotify, a watch that failed.
 * Never the system store, and a failure is reported, never fatal.
 */
import { watch, type FSWatcher, promises as fs } from 'node:fs';
import path from 'node:path';
import { servicePaths } from '../../config/paths.js';
import { readAuthority } from '../certificate.js';
import { firefoxRoots } from './firefox-profiles.js';
import { FIREFOX_STORE, firefoxStores } from './linux-browsers.js';
import { installTrust } from './service-ca-trust.js';
import { applyTrust, type TrustEnv } from './stores.js';
import { trustAnchor, type StoreReport } from './trust-store.js';

/**
 * `dir`, or its nearest ancestor that exists, not above `floor`: a root's parents up to the config
 * folder (XDG) or the folder under $HOME it lives in (.mozilla, snap, .var). $HOME itself changes too
 * often to watch; a root under a folder that does not exist either is left to the rescan.
 */
async function nearestDir(dir: string, floor: string): Promise<string | null> {
  for (let d = dir; d.startsWith(floor); d = path.dirname(d)) {
    if (await fs.stat(d).then((st) => st.isDirectory(), () => false)) return d;
    if (d === floor) break;
  }
  return null;
}

function floorOf(root: string, te: TrustEnv): string {
  if (root.startsWith(te.configHome + path.sep)) return te.configHome;
  return path.join(te.userHome, path.relative(te.userHome, root).split(path.sep)[0]!);
}

export const KEEPER_TIMING = {
  /** Every store again: a database replaced, an entry someone removed. */
  fullPassMs: 24 * 3600 * 1000,
  /** Only looks for Firefox profiles not trusted yet: a few small files read. */
  rescanMs: 15_000,
  /** Firefox writes profiles.ini and the folder in several steps: one pass after they settle. */
  settleMs: 300,
};

export interface TrustKeeperOptions {
  home: string;
  /** Asked at every pass: $HOME and $XDG_CONFIG_HOME of the user. */
  trustEnv: () => TrustEnv;
  /** Each store a pass changed or could not trust, for the monitor's log. */
  report: (r: StoreReport) => void;
  /** A pass that failed as a whole (no certificate could be made). */
  failed: (err: Error) => void;
  timing?: Partial<typeof KEEPER_TIMING>;
}

export class TrustKeeper {
  /** Firefox profiles trusted by this keeper since its last full pass. */
  private readonly trusted = new Set<string>();
  /** Stores found untrusted (and why) since the last full pass: the log says it once. */
  private readonly told = new Set<string>();
  /** Profiles a Firefox is starting with, that have no database yet. */
  private readonly starting = new Set<string>();
  private readonly watchers = new Map<string, FSWatcher>();
  private readonly timers: NodeJS.Timeout[] = [];
  private settle: NodeJS.Timeout | null = null;
  /** Passes run one after the other: NSS databases do not like concurrent writers. */
  private queue: Promise<void> = Promise.resolve();
  private stopped = false;
  private readonly timing: typeof KEEPER_TIMING;

  constructor(private readonly opts: TrustKeeperOptions) {
    this.timing = { ...KEEPER_TIMING, ...opts.timing };
  }

  /** Resolves once the first full pass is done and the roots are watched. */
  start(): Promise<void> {
    const full = setInterval(() => void this.enqueue(() => this.fullPass()), this.timing.fullPassMs);
    const rescan = setInterval(() => void this.enqueue(() => this.newProfiles()), this.timing.rescanMs);
    for (const t of [full, rescan]) t.unref();
    this.timers.push(full, rescan);
    return this.enqueue(() => this.fullPass());
  }

  /** Resolves when the pass under way (if any) is over. */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const t of this.timers) clearInterval(t);
    if (this.settle) clearTimeout(this.settle);
    for (const w of this.watchers.values()) w.close();
    this.watchers.clear();
    await this.queue;
  }

  private enqueue(pass: () => Promise<void>): Promise<void> {
    this.queue = this.queue.then(async () => {
      if (this.stopped) return;
      try {
        await pass();
        await this.watchRoots();
      } catch (err) {
        this.opts.failed(err as Error);
      }
    });
    return this.queue;
  }

  private note(reports: StoreReport[]): void {
    for (const r of reports) {
      if (r.store === FIREFOX_STORE && r.trusted) this.trusted.add(r.location);
      // A Firefox making the profile's database: its folder is watched until the database is there.
      if (r.busy) this.starting.add(r.location);
      else this.starting.delete(r.location);
      if (r.busy) continue;
      if (r.changed) this.opts.report(r);
      else if (r.trusted !== true) {
        // Retried at every rescan; told once per full pass.
        const key = `${r.location}\n${r.problem ?? ''}`;
        if (!this.told.has(key)) this.opts.report(r);
        this.told.add(key);
      }
    }
  }

  private async fullPass(): Promise<void> {
    this.trusted.clear();
    this.starting.clear();
    this.told.clear();
    this.note((await installTrust(this.opts.home, this.opts.trustEnv(), { system: false })).stores);
  }

  private async newProfiles(): Promise<void> {
    const te = this.opts.trustEnv();
    const fresh = (await firefoxStores(te.userHome, te.configHome, te.env)).filter((s) => !this.trusted.has(s.location));
    if (fresh.length === 0) return;
    const authority = await readAuthority(servicePaths(this.opts.home).cert);
    // No CA yet means the first full pass failed; the next one makes it.
    if (authority) this.note(await applyTrust('install', fresh, trustAnchor(authority)));
  }

  /**
   * Watches each root, or while it does not exist its nearest existing parent (a new user's first
   * Firefox makes ~/.config/mozilla/firefox), so the pass that follows moves the watch down to it.
   */
  private async watchRoots(): Promise<void> {
    const te = this.opts.trustEnv();
    const wanted = new Set<string>();
    for (const root of firefoxRoots(te.userHome, te.configHome)) {
      const dir = await nearestDir(root, floorOf(root, te));
      if (dir) wanted.add(dir);
    }
    for (const profile of this.starting) wanted.add(profile);
    for (const [dir, watcher] of this.watchers) {
      if (wanted.has(dir)) continue;
      watcher.close();
      this.watchers.delete(dir);
    }
    let added = false;
    for (const dir of wanted) {
      if (this.stopped || this.watchers.has(dir)) continue;
      try {
        const watcher = watch(dir, { persistent: false }, () => this.soon());
        // Removed or no longer watchable: dropped; the next pass watches what is there then.
        watcher.on('error', () => {
          watcher.close();
          this.watchers.delete(dir);
        });
        this.watchers.set(dir, watcher);
        added = true;
      } catch {
        // Out of inotify watches: the periodic rescan still finds new profiles.
      }
    }
    // What changed between this pass's look and the new watch is seen by one more pass.
    if (added) this.soon();
  }

  private soon(): void {
    if (this.settle || this.stopped) return;
    this.settle = setTimeout(() => {
      this.settle = null;
      void this.enqueue(() => this.newProfiles());
    }, this.timing.settleMs);
    this.settle.unref();
  }
}
