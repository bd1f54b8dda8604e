import { linkAddressesOf } from '../../client';
import { IceServerError, parseIceServers } from './ice-servers';

/** The page's runtime configuration, read from `config.json` beside index.html. */
export interface PageConfig {
  /** The relay's ws:// or wss:// URL. */
  readonly relayUrl: string;
  /** STUN/TURN servers for the direct path (the stack's context, or `npm start`); absent: host candidates only. */
  readonly iceServers?: readonly RTCIceServer[];
  /** The page address links name for another device (`npm start -- --lan`: `https://192.168.1.5:3001/`); absent: the address in use. */
  readonly linkPageUrl?: string;
  /** The relay address links name for another device (`wss://192.168.1.5:3001`), with linkPageUrl. */
  readonly linkRelayUrl?: string;
}

/** Thrown when config.json is missing, does not name a ws:// or wss:// relay, or lists unusable ICE servers. */
export class PageConfigError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'PageConfigError';
  }
}

/** Checks a parsed config.json; PageConfigError naming what is wrong. */
export function parsePageConfig(value: unknown): PageConfig {
  const { relayUrl, iceServers } = (value ?? {}) as Record<string, unknown>;
  if (typeof relayUrl !== 'string' || !/^wss?:\/\/[^\s]+$/.test(relayUrl)) {
    throw new PageConfigError('config.json does not name the relay: expected {"relayUrl":"wss://…"}');
  }
  // Both link addresses or neither: a link must name a page and a relay the other device reaches.
  const links = linkAddressesOf(value) ?? {};
  if (iceServers === undefined) return { relayUrl, ...links };
  try {
    return { relayUrl, iceServers: parseIceServers(iceServers), ...links };
  } catch (error) {
    if (!(error instanceof IceServerError)) throw error;
    throw new PageConfigError(`config.json lists unusable ICE servers: ${error.message}`, { cause: error });
  }
}

/** Fetches and checks `config.json` next to the page. */
export async function loadPageConfig(baseUrl: string): Promise<PageConfig> {
  let response: Response;
  try {
    response = await fetch(new URL('config.json', baseUrl), { cache: 'no-store' });
  } catch (cause) {
    throw new PageConfigError('Could not load config.json: is the page server running?', { cause });
  }
  if (!response.ok) throw new PageConfigError(`Could not load config.json (HTTP ${response.status}).`);
  let body: unknown;
  try {
    body = await response.json();
  } catch (cause) {
    throw new PageConfigError('config.json is not JSON.', { cause });
  }
  return parsePageConfig(body);
}
