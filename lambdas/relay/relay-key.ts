import { createHash, timingSafeEqual } from 'node:crypto';
import { RELAY_KEY_QUERY_PARAMETER } from './table-schema';

/**
 * Where the relay's expected access key comes from (the port `$connect` checks against): a fixed
 * key on the local relay, the Secrets Manager secret on AWS. `undefined` means an open relay.
 */
export interface RelayKeySource {
  /** The key a client must present, or undefined when the relay is open to every client. */
  expectedKey(): Promise<string | undefined>;
}

/** A relay that needs no key (the local relay's default on a loopback address). */
export const OPEN_RELAY: RelayKeySource = { expectedKey: async () => undefined };

/** A relay that requires this one key (the local relay's `--key`). */
export function fixedRelayKey(key: string): RelayKeySource {
  return { expectedKey: async () => key };
}

/** The characters an access key may hold: URL-safe, so it travels in a query string unescaped. */
export const RELAY_KEY_PATTERN = /^[A-Za-z0-9._~-]{8,256}$/;

/**
 * The handshake's key was missing or wrong. Not a RelayRefusal: `$connect` cannot answer with a
 * frame, so the handler refuses the handshake with 401 instead.
 */
export class HandshakeKeyRefusedError extends Error {
  /** The stable code logged for the refusal. */
  readonly code = 'RelayKeyRefused';

  constructor(reason: string) {
    super(reason);
    this.name = 'HandshakeKeyRefusedError';
  }
}

/** The key a handshake presents in its query string (`?key=…`), if any. */
export function presentedRelayKey(query: Readonly<Record<string, string | undefined>> | null | undefined): string | undefined {
  return query?.[RELAY_KEY_QUERY_PARAMETER] || undefined;
}

/** Compares two keys in constant time: both are hashed first, so neither length nor content leaks. */
export function relayKeysMatch(presented: string, expected: string): boolean {
  const digest = (text: string): Buffer => createHash('sha256').update(text, 'utf8').digest();
  return timingSafeEqual(digest(presented), digest(expected));
}

/** Admits a handshake when the relay is open or the presented key matches; throws HandshakeKeyRefusedError otherwise. */
export async function admitRelayKey(presented: string | undefined, source: RelayKeySource): Promise<void> {
  const expected = await source.expectedKey();
  if (expected === undefined) return;
  if (presented === undefined) throw new HandshakeKeyRefusedError('the handshake carries no relay access key (?key=…)');
  if (!relayKeysMatch(presented, expected)) throw new HandshakeKeyRefusedError('the handshake carries a wrong relay access key');
}
