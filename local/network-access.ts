import * as os from 'node:os';
import { localRelayCertificateFiles } from '../cli/config-folder';
import { terminalQrCode } from '../cli/terminal-qr-code';
import { isLoopbackHost } from '../client/transport/relay-url';
import { hostInUrl, isWildcardHost, lanAddresses } from './lan-addresses';
import { loadOrCreateRelayCertificate, type RelayCertificate } from './tls-certificate';

/** How other devices reach `npm start`'s relay: its certificate (https on) and the page address links name. */
export interface NetworkAccess {
  readonly certificate?: RelayCertificate;
  /** The page's address for other devices, once the port is known. */
  readonly publicUrl?: (port: number) => string;
}

/** What chooseNetworkAccess reads of the machine (tests pass their own). */
export interface MachineFacts {
  readonly interfaces: NodeJS.Dict<os.NetworkInterfaceInfo[]>;
  readonly hostname: string;
  readonly certificateFiles: { readonly cert: string; readonly key: string };
}

/**
 * TLS and the public address from `npm start`'s options: TLS (`--tls`) by default on a non-loopback
 * host; the public address `--public-url`, else on a non-loopback host this machine's first LAN
 * address (the host itself when it names one). The certificate covers localhost, the LAN addresses,
 * the host name and the public address's host.
 */
export async function chooseNetworkAccess(
  options: { readonly host: string; readonly tls?: boolean; readonly publicUrl?: string },
  out: (line: string) => void,
  machine: MachineFacts = { interfaces: os.networkInterfaces(), hostname: os.hostname(), certificateFiles: localRelayCertificateFiles() },
): Promise<NetworkAccess> {
  const loopback = isLoopbackHost(options.host);
  const tls = options.tls ?? !loopback;
  const wildcard = isWildcardHost(options.host);
  const addresses = lanAddresses(machine.interfaces);
  let publicUrl: NetworkAccess['publicUrl'];
  if (options.publicUrl !== undefined) {
    const fixed = options.publicUrl;
    publicUrl = () => fixed;
  } else if (!loopback) {
    const host = wildcard ? addresses[0] : hostInUrl(options.host);
    if (host === undefined) out('No network address found on this computer: other devices cannot reach it (connect to a Wi-Fi, or give --public-url).');
    else publicUrl = (port) => `${tls ? 'https' : 'http'}://${host}:${port}/`;
  }
  if (!tls) return { publicUrl };
  const publicHost = options.publicUrl !== undefined ? new URL(options.publicUrl).hostname.replace(/^\[|\]$/g, '') : undefined;
  const names = ['localhost', '127.0.0.1', machine.hostname, `${machine.hostname}.local`, ...addresses, ...(wildcard || loopback ? [] : [options.host]), ...(publicHost ? [publicHost] : [])];
  const certificate = await loadOrCreateRelayCertificate(machine.certificateFiles, names);
  if (certificate.created) out(`TLS certificate: new, kept in ${machine.certificateFiles.cert} (for ${certificate.names.join(', ')})`);
  return { certificate, publicUrl };
}

/** Prints the page's address for other devices, its QR code, and what a phone shows about the certificate. */
export function printNetworkPage(pageUrl: string, certificate: RelayCertificate | undefined, out: (line: string) => void): void {
  out(`On your network: ${pageUrl}`);
  out('Open it on a phone on the same Wi-Fi: scan this code with its camera, or type the address.');
  out(terminalQrCode(pageUrl));
  if (certificate) {
    out(`The certificate is this relay's own (self-signed), so the phone warns the first time. Its SHA-256 is ${certificate.fingerprint256}:`);
    out('check it under the warning\'s certificate details, then continue (Chrome: Advanced, Proceed; Safari: Show Details, visit this website).');
  }
}
