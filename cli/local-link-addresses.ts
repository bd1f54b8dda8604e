import { isLoopbackHost, linkAddressesOf, relayKeyOf, relayUrlWithKey } from '../client';

/** How long the CLI waits for the local relay's config.json before making links as usual. */
const CONFIG_WAIT_MS = 1500;

/** The addresses a link names for a receiver on another device. */
export interface LinkAddressesForOthers {
  /** The page the link opens. */
  readonly pageUrl: string;
  /** The relay the link names, with the access key of the relay the CLI connects to. */
  readonly relayUrl: string;
}

/**
 * When `relayUrl` is the local relay on this machine (a ws:// loopback address) and it runs with
 * `--lan`, the addresses another device reaches it by, from its config.json (`linkPageUrl`,
 * `linkRelayUrl`, checked by linkAddressesOf as the page checks them); else undefined.
 */
export async function localLinkAddresses(relayUrl: string): Promise<LinkAddressesForOthers | undefined> {
  const relay = new URL(relayUrl);
  if (relay.protocol !== 'ws:' || !isLoopbackHost(relay.hostname)) return undefined;
  let config: unknown;
  try {
    const answer = await fetch(`http://${relay.host}/config.json`, { signal: AbortSignal.timeout(CONFIG_WAIT_MS) });
    if (!answer.ok) return undefined;
    config = await answer.json();
  } catch {
    return undefined; // not running, or not ours: the session says so when it connects
  }
  const links = linkAddressesOf(config);
  return links && { pageUrl: links.linkPageUrl, relayUrl: relayUrlWithKey(links.linkRelayUrl, relayKeyOf(relayUrl)) };
}
