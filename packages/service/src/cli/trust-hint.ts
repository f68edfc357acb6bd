/**
 * What `scanbridge run` says about HTTPS when it starts: pages served over
 * https:// reach the service only through its HTTPS port, which a browser
 * refuses until it trusts the service's certificate, and a developer meets
 * that first as "scanbridge is not running". So say it at once, and how to
 * fix it.
 */
import { trustStatus } from '../security/trust/service-ca-trust.js';
import { currentTrustEnv, type TrustEnv } from '../security/trust/stores.js';

export async function trustHint(home: string, te: TrustEnv = currentTrustEnv()): Promise<string> {
  try {
    const browsers = (await trustStatus(home, te))?.stores.filter((r) => r.store !== 'system store') ?? [];
    if (browsers.length > 0 && browsers.every((r) => r.trusted === true)) {
      return `HTTPS: this user's browsers trust scanbridge's certificate (${browsers.map((r) => r.store).join(', ')})`;
    }
  } catch {
    // A store that cannot be read is as good as untrusted here: give the advice.
  }
  return 'HTTPS: pages served over https:// reach scanbridge only once the browser trusts its certificate: run `scanbridge cert install`, then restart the browser (`scanbridge cert status` says where it is trusted)';
}
