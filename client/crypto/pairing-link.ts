import { fromBase64, toBase64Url } from '../../protocol/base64';
import { BadLinkError } from '../errors';
import { RELAY_KEY_PARAMETER, redactRelayKey } from '../transport/relay-url';
import { SECRET_BYTES } from './session-crypto';

/** What a pairing link carries: where the sender waits and the secret both sides derive their keys from. */
export interface PairingLink {
  /** The relay's WebSocket URL (ws:// or wss://), with its access key (`?key=…`) when the relay has one. */
  readonly relayUrl: string;
  /** The sender's relay connection id. */
  readonly senderId: string;
  /** The random secret (32 bytes). It lives only in the URL fragment, which browsers never send to a server. */
  readonly secret: Uint8Array;
}

/** The web page URL for a relay URL when none is given: ws://h:p/x -> http://h:p/, wss -> https. */
export function defaultPageUrl(relayUrl: string): string {
  const url = new URL(relayUrl);
  const scheme = url.protocol === 'wss:' ? 'https:' : 'http:';
  return `${scheme}//${url.host}/`;
}

/**
 * Builds `PAGE#v=1&relay=...&id=...&key=...`; the fragment keeps the secret, and the relay access
 * key inside the relay URL, away from web servers.
 */
export function formatPairingLink(pageUrl: string, link: PairingLink): string {
  const base = pageUrl.split('#')[0]!;
  const fragment = new URLSearchParams({
    v: '1',
    relay: link.relayUrl,
    id: link.senderId,
    key: toBase64Url(link.secret),
  });
  return `${base}#${fragment.toString()}`;
}

/** Parses a pairing link (or just its fragment); throws BadLinkError saying what is wrong. */
export function parsePairingLink(text: string): PairingLink {
  const trimmed = text.trim();
  const hashAt = trimmed.indexOf('#');
  const fragment = hashAt >= 0 ? trimmed.slice(hashAt + 1) : trimmed;
  const params = new URLSearchParams(fragment);
  const relayUrl = params.get('relay');
  const senderId = params.get('id');
  const key = params.get('key');
  if (!relayUrl || !senderId || !key) {
    throw new BadLinkError('the link lacks relay, id or key after "#": copy the whole link the sender printed');
  }
  const version = params.get('v');
  if (version !== null && version !== '1') {
    throw new BadLinkError(`the link is of version ${version}; this client speaks version 1`);
  }
  let relay: URL;
  try {
    relay = new URL(relayUrl);
  } catch {
    throw new BadLinkError(`the link's relay "${redactRelayKey(relayUrl)}" is not a URL`);
  }
  if (relay.protocol !== 'ws:' && relay.protocol !== 'wss:') {
    throw new BadLinkError(`the link's relay "${redactRelayKey(relayUrl)}" is not a ws:// or wss:// URL`);
  }
  const relayKey = relay.searchParams.get(RELAY_KEY_PARAMETER);
  if (relayKey !== null && !/^[A-Za-z0-9._~-]+$/.test(relayKey)) {
    throw new BadLinkError('the link\'s relay access key is empty or damaged: copy the whole link the sender printed');
  }
  let secret: Uint8Array;
  try {
    secret = fromBase64(key);
  } catch {
    throw new BadLinkError('the link\'s key is not base64url');
  }
  if (secret.length !== SECRET_BYTES) {
    throw new BadLinkError(`the link's key has ${secret.length} bytes; it must have ${SECRET_BYTES}`);
  }
  if (senderId.length > 128) throw new BadLinkError('the link\'s id is longer than 128 characters');
  return { relayUrl, senderId, secret };
}
