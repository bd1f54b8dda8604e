import { InvalidArgumentError } from 'commander';
import { iceServersOf, isIceServerUrl } from '../client/direct/ice-servers';
import { loadNodeWebRtc } from '../client/direct/node-webrtc';
import type { PeerSessionOptions } from '../client/sessions/peer-session';

/** What `--relay-only` and `--ice-server` (or BANGUINS_RELAY_ONLY and BANGUINS_ICE_SERVERS) chose. */
export interface PathChoice {
  /** Keep the whole session on the relay: no WebRTC offer, no `direct` in our hello. */
  readonly relayOnly: boolean;
  /** STUN/TURN server URLs for the direct path; none: host candidates only (devices on one network). */
  readonly iceServers: readonly string[];
}

/** Try a direct path, with host candidates only. */
export const DIRECT_BY_DEFAULT: PathChoice = { relayOnly: false, iceServers: [] };

/** commander parser of one `--ice-server <url>` (repeatable): checks the URL, appends it. */
export function iceServerUrl(value: string, previous: readonly string[] = []): string[] {
  if (!isIceServerUrl(value)) throw new InvalidArgumentError('expected a stun: or turn: URL such as stun:stun.example.org:3478');
  return [...previous, value];
}

/** The path choice from the command line, falling back to the environment. */
export function pathChoiceOf(flags: { relayOnly?: boolean; iceServer?: readonly string[] }, env: NodeJS.ProcessEnv = process.env): PathChoice {
  const relayOnly = flags.relayOnly === true || /^(1|true|yes)$/i.test(env.BANGUINS_RELAY_ONLY ?? '');
  const fromEnv = (env.BANGUINS_ICE_SERVERS ?? '').split(/[\s,]+/).filter((url) => url !== '');
  const badFromEnv = fromEnv.find((url): boolean => !isIceServerUrl(url));
  if (!flags.iceServer?.length && badFromEnv !== undefined) {
    throw new InvalidArgumentError(`BANGUINS_ICE_SERVERS: ${badFromEnv.slice(0, 80)} is not a stun: or turn: URL`);
  }
  return { relayOnly, iceServers: flags.iceServer?.length ? flags.iceServer : fromEnv };
}

/**
 * The session options for the chosen path: a WebRTC implementation (so the session offers or accepts a
 * direct path) unless relay-only or @roamhq/wrtc cannot load here, in which case `onUnavailable` hears why.
 */
export async function directPathOptions(choice: PathChoice, onUnavailable: (reason: string) => void): Promise<Pick<PeerSessionOptions, 'webrtc' | 'iceServers'>> {
  if (choice.relayOnly) return {};
  const webrtc = await loadNodeWebRtc();
  if (!webrtc) {
    onUnavailable('No direct path: the WebRTC module (@roamhq/wrtc) does not load on this machine, so the bytes go through the relay.');
    return {};
  }
  return { webrtc, iceServers: iceServersOf(choice.iceServers) };
}
