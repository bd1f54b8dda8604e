/** The relay URL's query parameter that carries the relay access key (`wss://…/dev?key=…`). */
export const RELAY_KEY_PARAMETER = 'key';

/** The page URL's fragment parameter that hands the relay access key to the web page (`https://…/#relaykey=…`). */
export const PAGE_RELAY_KEY_PARAMETER = 'relaykey';

/** The relay URL with `?key=KEY` set (replacing any key it had); unchanged when `key` is undefined. */
export function relayUrlWithKey(relayUrl: string, key: string | undefined): string {
  if (key === undefined) return relayUrl;
  const url = new URL(relayUrl);
  url.searchParams.set(RELAY_KEY_PARAMETER, key);
  return url.toString();
}

/** The access key a relay URL carries in its query string, if any. */
export function relayKeyOf(relayUrl: string): string | undefined {
  try {
    return new URL(relayUrl).searchParams.get(RELAY_KEY_PARAMETER) || undefined;
  } catch {
    return undefined;
  }
}

/** The relay URL without its access key, for messages and logs (`…?key=…` becomes `…?key=(hidden)`). */
export function redactRelayKey(relayUrl: string): string {
  return relayUrl.replace(/([?&]key=)[^&#]*/g, '$1(hidden)');
}

/** The web page URL with `#relaykey=KEY` (the fragment never reaches a web server); unchanged when `key` is undefined. */
export function pageUrlWithKey(pageUrl: string, key: string | undefined): string {
  if (key === undefined) return pageUrl;
  const base = pageUrl.split('#')[0]!;
  return `${base}#${new URLSearchParams({ [PAGE_RELAY_KEY_PARAMETER]: key }).toString()}`;
}

/** The addresses a link names for another device (a local relay's config.json with `npm start -- --lan`). */
export interface LinkAddresses {
  /** The page the link opens (`https://192.168.1.5:3001/`). */
  readonly linkPageUrl: string;
  /** The relay the link names (`wss://192.168.1.5:3001`), without a key. */
  readonly linkRelayUrl: string;
}

/**
 * The link addresses in a parsed config.json, both or neither: an http(s) page and a ws(s) relay,
 * with no white space or fragment. The page and the CLI read them with this one check.
 */
export function linkAddressesOf(config: unknown): LinkAddresses | undefined {
  const { linkPageUrl, linkRelayUrl } = (config ?? {}) as Record<string, unknown>;
  if (typeof linkPageUrl !== 'string' || !/^https?:\/\/[^\s#]+$/.test(linkPageUrl)) return undefined;
  if (typeof linkRelayUrl !== 'string' || !/^wss?:\/\/[^\s#]+$/.test(linkRelayUrl)) return undefined;
  return { linkPageUrl, linkRelayUrl };
}

/** Whether a host name or address is this machine only (`localhost`, `127.x.x.x`, `::1`, with or without brackets). */
export function isLoopbackHost(host: string): boolean {
  const name = host.toLowerCase().replace(/^\[|\]$/g, '');
  return name === 'localhost' || name === '::1' || /^127\./.test(name);
}
