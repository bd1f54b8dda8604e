import * as os from 'node:os';

/** RFC 1918 private ranges: a home or office network's addresses, which a phone on the same Wi-Fi reaches. */
const PRIVATE_IPV4 = /^(10\.|192\.168\.|172\.(1[6-9]|2\d|3[01])\.)/;

/**
 * This machine's IPv4 addresses another device on the network may reach, best first: private
 * (RFC 1918) before the rest; never loopback or link-local (169.254/16), which no other device routes to.
 */
export function lanAddresses(interfaces: NodeJS.Dict<os.NetworkInterfaceInfo[]> = os.networkInterfaces()): string[] {
  const found = Object.values(interfaces)
    .flatMap((infos) => infos ?? [])
    .filter((info) => info.family === 'IPv4' && !info.internal && !info.address.startsWith('169.254.'))
    .map((info) => info.address);
  const unique = [...new Set(found)];
  return [...unique.filter((address) => PRIVATE_IPV4.test(address)), ...unique.filter((address) => !PRIVATE_IPV4.test(address))];
}

/** Whether `--host` listens on every interface (`0.0.0.0`, `::`) rather than one address. */
export function isWildcardHost(host: string): boolean {
  return host === '0.0.0.0' || host === '::';
}

/** A listening address as a URL writes it: an IPv6 address in brackets. */
export function hostInUrl(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}
