import { PAGE_RELAY_KEY_PARAMETER, relayKeyOf, relayUrlWithKey } from '../../client';

const STORAGE_PREFIX = 'banguins.relayKey:';

/**
 * Takes the relay access key from the page address (`#relaykey=…`, which never reaches a web
 * server) and removes it from the address bar, so it is not bookmarked or shared by accident.
 */
export function takeRelayKeyFromAddress(): string | undefined {
  const params = new URLSearchParams(location.hash.slice(1));
  const key = params.get(PAGE_RELAY_KEY_PARAMETER) || undefined;
  if (key === undefined) return undefined;
  params.delete(PAGE_RELAY_KEY_PARAMETER);
  const rest = params.toString();
  history.replaceState(null, '', `${location.pathname}${location.search}${rest ? `#${rest}` : ''}`);
  return key;
}

/** Keeps the key for this relay in localStorage, so the page opened later without it can still send. */
export function rememberRelayKey(relayUrl: string, key: string): void {
  try {
    localStorage.setItem(STORAGE_PREFIX + relayUrl, key);
  } catch {
    // Storage may be off (private mode): the key then works for this visit only.
  }
}

/** The relay URL the page sends through: as configured if it carries a key, else with the remembered one. */
export function relayUrlForSending(relayUrl: string): string {
  if (relayKeyOf(relayUrl) !== undefined) return relayUrl;
  let key: string | null = null;
  try {
    key = localStorage.getItem(STORAGE_PREFIX + relayUrl);
  } catch {
    key = null;
  }
  return relayUrlWithKey(relayUrl, key ?? undefined);
}
