import { isIceServerUrl } from '../../client/direct/ice-servers';

/** The most servers the page accepts: a longer list slows every direct attempt for nothing. */
const MAX_ICE_SERVERS = 16;

/** Thrown when an ICE server list (config.json's `iceServers`, or the page setting) is not usable. */
export class IceServerError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'IceServerError';
  }
}

function checkUrl(url: unknown, where: string): string {
  if (!isIceServerUrl(url)) {
    const shown = (JSON.stringify(url) ?? String(url)).slice(0, 80);
    throw new IceServerError(`${where ? `${where} ` : ''}${shown} is not a stun:, stuns:, turn: or turns: URL`);
  }
  return url;
}

/**
 * Checks a parsed `iceServers` array (RTCIceServer: `urls` a URL or a list of them, optional
 * `username` and `credential` strings) and keeps only those fields; IceServerError naming the
 * first bad entry.
 */
export function parseIceServers(value: unknown): RTCIceServer[] {
  if (!Array.isArray(value)) throw new IceServerError('iceServers is not an array');
  if (value.length > MAX_ICE_SERVERS) throw new IceServerError(`iceServers lists ${value.length} servers; at most ${MAX_ICE_SERVERS}`);
  return value.map((entry: unknown, index) => {
    const where = `iceServers[${index}]`;
    if (typeof entry !== 'object' || entry === null) throw new IceServerError(`${where} is not an object`);
    const { urls, username, credential } = entry as { urls?: unknown; username?: unknown; credential?: unknown };
    const list = Array.isArray(urls) ? urls : [urls];
    if (list.length === 0) throw new IceServerError(`${where}.urls is empty`);
    const checked = list.map((url, i) => checkUrl(url, Array.isArray(urls) ? `${where}.urls[${i}]` : `${where}.urls`));
    if (username !== undefined && typeof username !== 'string') throw new IceServerError(`${where}.username is not a string`);
    if (credential !== undefined && typeof credential !== 'string') throw new IceServerError(`${where}.credential is not a string`);
    return {
      urls: Array.isArray(urls) ? checked : checked[0]!,
      ...(username === undefined ? {} : { username }),
      ...(credential === undefined ? {} : { credential }),
    };
  });
}

/**
 * The page setting's ICE servers: STUN or TURN URLs separated by spaces, commas or new lines, one
 * server each (a TURN server that needs a username and credential goes in config.json); empty text
 * gives none. IceServerError naming the first bad URL.
 */
export function parseIceServerUrls(text: string): RTCIceServer[] {
  const urls = text.split(/[\s,]+/).filter(Boolean);
  if (urls.length > MAX_ICE_SERVERS) throw new IceServerError(`${urls.length} servers; at most ${MAX_ICE_SERVERS}`);
  return urls.map((url) => ({ urls: checkUrl(url, '') }));
}
