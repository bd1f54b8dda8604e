import { formatPairingLink, parsePairingLink, relayKeyOf, relayUrlWithKey } from '../../client';
import type { PageConfig } from './config';

/**
 * The relay URL a link this page makes names: config.json's link relay (the LAN address, in
 * `npm start -- --lan`) with the key of the relay the page sends through, else that relay itself.
 */
export function relayUrlForLinks(config: PageConfig, sendingRelayUrl: string): string {
  return config.linkRelayUrl === undefined ? sendingRelayUrl : relayUrlWithKey(config.linkRelayUrl, relayKeyOf(sendingRelayUrl));
}

/**
 * A link that names this page's own relay by its LAN address (a phone made it), rewritten to reach
 * the same relay by the address this page uses: the laptop's browser opened the page at
 * http://localhost and never accepted the LAN address's certificate. Any other link is unchanged.
 */
export function linkThroughOwnAddress(link: string, config: PageConfig): string {
  if (config.linkRelayUrl === undefined) return link;
  let parsed;
  try {
    parsed = parsePairingLink(link);
  } catch {
    return link; // the receive flow says what is wrong with it
  }
  const named = new URL(parsed.relayUrl);
  const lan = new URL(config.linkRelayUrl);
  if (named.protocol !== lan.protocol || named.host !== lan.host) return link;
  const own = relayUrlWithKey(config.relayUrl, relayKeyOf(parsed.relayUrl));
  return formatPairingLink(link, { ...parsed, relayUrl: own });
}
