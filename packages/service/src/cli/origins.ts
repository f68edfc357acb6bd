/** `scanbridge origins list|allow|revoke`: the websites allowed to use the scanners. */
import { servicePaths } from '../config/paths.js';
import { ServiceClient } from './service-client.js';
import { EXIT } from './usage.js';
import type { ParsedValues } from './main.js';

export async function originsCommand(home: string, values: ParsedValues, positionals: string[]): Promise<number> {
  const [action, origin] = positionals;
  const { client } = await ServiceClient.fromLock(servicePaths(home).portLock, home);
  if (action === 'list' || action === undefined) {
    const [list] = await client.call('ListOrigins', {}, 'fa');
    if (values.json) console.log(JSON.stringify(list));
    else if (list.length === 0) console.log('no website is allowed');
    else for (const a of list) console.log(`${a.origin}\t${a.by}\tsince ${a.approvedAt.slice(0, 10)}${a.lastUsed ? `\tlast used ${a.lastUsed.slice(0, 10)}` : ''}`);
    return EXIT.ok;
  }
  if ((action === 'allow' || action === 'revoke') && origin) {
    if (action === 'allow') {
      await client.call('AllowOrigin', { origin }, 'fa');
      console.log(`${origin} may use the scanners`);
      return EXIT.ok;
    }
    const [revoked] = await client.call('RevokeOrigin', { origin }, 'fa');
    console.log(revoked ? `${origin} is no longer allowed; its tokens stop working now` : `${origin} was not allowed`);
    return revoked ? EXIT.ok : EXIT.failure;
  }
  console.error('scanbridge origins: expected `list`, `allow <origin>` or `revoke <origin>`');
  return EXIT.usage;
}
