/**
 * Who may reach the eSCL server: clients whose address is in one of the
 * administrator's networks (EsclAllowedNetworks), and loopback always.
 * IPv4 clients on a dual-stack socket arrive as ::ffff:a.b.c.d and are
 * matched as IPv4.
 */
import { BlockList, isIPv4 } from 'node:net';

export function allowList(networks: readonly string[]): (address: string | undefined) => boolean {
  const list = new BlockList();
  list.addSubnet('127.0.0.0', 8, 'ipv4');
  list.addAddress('::1', 'ipv6');
  for (const network of networks) {
    const [address = '', bits = ''] = network.split('/');
    list.addSubnet(address, Number(bits), isIPv4(address) ? 'ipv4' : 'ipv6');
  }
  return (address) => {
    if (!address) return false;
    const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
    if (mapped) return list.check(mapped[1]!, 'ipv4');
    return list.check(address, isIPv4(address) ? 'ipv4' : 'ipv6');
  };
}
