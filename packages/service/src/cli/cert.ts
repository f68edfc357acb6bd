/**
 * `scanbridge cert install|remove|status`: make the service folder's local CA
 * trusted by this user's browsers (and, as root, the machine), take it out
 * again, or say where it is trusted.
 */
import { certificatePaths, type Authority } from '../security/certificate.js';
import { servicePaths } from '../config/paths.js';
import { installTrust, removeTrust, trustStatus, type TrustOutcome } from '../security/trust/service-ca-trust.js';
import { currentTrustEnv, type TrustAction, type TrustEnv } from '../security/trust/stores.js';
import type { StoreReport } from '../security/trust/trust-store.js';
import { firefoxRoots } from '../security/trust/firefox-profiles.js';
import { FIREFOX_STORE } from '../security/trust/linux-browsers.js';
import { EXIT } from './usage.js';
import type { ParsedValues } from './main.js';

const ACTIONS: readonly TrustAction[] = ['install', 'remove', 'status'];

function shellQuote(text: string): string {
  return /^[\w@%+=:,./-]+$/.test(text) ? text : `'${text.replaceAll("'", `'\\''`)}'`;
}

/** The command an administrator runs for the machine-wide store (`sudo` unless this already is root). */
export function adminCommand(action: TrustAction, home: string, asRoot = false): string {
  return `${asRoot ? '' : 'sudo '}scanbridge cert ${action} --home ${shellQuote(home)}`;
}

export function reportLine(action: TrustAction, r: StoreReport, home: string): string {
  const where = `${r.store} ${r.location}`;
  if (r.problem) return `failed       ${where}: ${r.problem}`;
  if (r.needsAdmin) {
    return r.trusted
      ? `still trusted ${where}: removing it needs an administrator: ${adminCommand('remove', home)}`
      : `not trusted  ${where}: needs an administrator: ${adminCommand('install', home)}`;
  }
  if (action === 'install') return `trusted      ${where}${r.changed ? '' : ' (already)'}`;
  if (action === 'remove') return r.changed ? `removed from ${where}` : `not in       ${where}`;
  return `${r.trusted ? 'trusted    ' : 'not trusted'}  ${where}`;
}

function authorityLine(a: Authority): string {
  return `certificate authority ${a.file} (SHA-256 ${a.fingerprint}, valid until ${a.validTo.toISOString().slice(0, 10)})`;
}

/** The lines `cert <action>` prints; also used by install and uninstall. */
export function report(action: TrustAction, outcome: TrustOutcome, home: string, te: TrustEnv): string[] {
  const lines = [authorityLine(outcome.authority), ...outcome.stores.map((r) => reportLine(action, r, home))];
  if (te.platform === 'linux' && !outcome.stores.some((r) => r.store === FIREFOX_STORE)) {
    lines.push(`no Firefox profile found (no profiles.ini naming one in ${firefoxRoots(te.userHome, te.configHome).join(', ')}); a profile made later is covered by \`scanbridge cert install\` again, or at once by the monitor that \`scanbridge install\` registers`);
  }
  if (action !== 'status' && outcome.stores.some((r) => r.changed)) lines.push('restart open browsers so they see the change');
  return lines;
}

function succeeded(action: TrustAction, outcome: TrustOutcome): boolean {
  if (outcome.stores.some((r) => r.problem)) return false;
  // Status: trusted by every browser store; the machine-wide store is optional.
  if (action === 'status') return outcome.stores.every((r) => r.trusted || r.store === 'system store');
  return true;
}

export async function certCommand(home: string, values: ParsedValues, positionals: string[], te: TrustEnv = currentTrustEnv()): Promise<number> {
  const [action, ...extra] = positionals;
  if (!ACTIONS.includes(action as TrustAction) || extra.length > 0) {
    console.error(`scanbridge cert: expected \`install\`, \`remove\` or \`status\`${action ? `, got "${positionals.join(' ')}"` : ''}`);
    return EXIT.usage;
  }
  const act = action as TrustAction;
  // --no-system: leave the machine-wide store alone even as root (a desktop whose administrator only wants the browsers changed).
  const opts = { system: !values['no-system'] };
  const outcome = act === 'install' ? await installTrust(home, te, opts) : act === 'remove' ? await removeTrust(home, te, opts) : await trustStatus(home, te, opts);
  if (!outcome) {
    const none = `no certificate in ${servicePaths(home).cert} (expected ${certificatePaths(servicePaths(home).cert).caCert})`;
    if (values.json) console.log(JSON.stringify({ authority: null, stores: [] }));
    else console.log(act === 'remove' ? `${none}: nothing to remove` : `${none}: \`scanbridge cert install\` makes and trusts one`);
    return act === 'remove' ? EXIT.ok : EXIT.failure;
  }
  if (values.json) console.log(JSON.stringify(outcome));
  else for (const line of report(act, outcome, home, te)) console.log(line);
  return succeeded(act, outcome) ? EXIT.ok : EXIT.failure;
}
