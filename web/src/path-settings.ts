import type { SendOptions } from '../../client';
import { IceServerError, parseIceServerUrls } from './ice-servers';

/**
 * The page address's query parameter that keeps the session on the relay: `?relay-only` (or
 * `?relay-only=1`; `=0` or `=false` turns it off). It sits in the query, before a pairing link's
 * `#fragment`, so `https://…/?relay-only#relay=…&id=…&key=…` is still a link the page opens.
 */
const RELAY_ONLY_PARAMETER = 'relay-only';

const RELAY_ONLY_KEY = 'banguins.relayOnly';
const ICE_SERVERS_KEY = 'banguins.iceServers';

/** Whether the address's query asks for relay-only. */
export function relayOnlyFromAddress(search: string): boolean {
  const value = new URLSearchParams(search).get(RELAY_ONLY_PARAMETER);
  return value !== null && !/^(0|false|no|off)$/i.test(value);
}

/** The page's own path settings, as kept in localStorage. */
interface StoredPathSettings {
  readonly relayOnly: boolean;
  /** The STUN/TURN URLs typed in the setting, checked before they were kept. */
  readonly iceServerText: string;
}

function readStored(): StoredPathSettings {
  try {
    return { relayOnly: localStorage.getItem(RELAY_ONLY_KEY) === '1', iceServerText: localStorage.getItem(ICE_SERVERS_KEY) ?? '' };
  } catch {
    return { relayOnly: false, iceServerText: '' };
  }
}

function store(key: string, value: string): void {
  try {
    if (value) localStorage.setItem(key, value);
    else localStorage.removeItem(key);
  } catch {
    // Storage may be off (private mode): the setting then lasts for this visit only.
  }
}

/** The settings' controls in index.html. */
export interface PathSettingsElements {
  readonly relayOnly: HTMLInputElement;
  readonly iceServers: HTMLInputElement;
  readonly iceServersError: HTMLElement;
}

/**
 * The page's choice of path for its next transfer: relay-only (from the address, or the remembered
 * checkbox), and the STUN/TURN servers typed in the setting (remembered; they override config.json's).
 */
export class PathSettings {
  private relayOnlySetting: boolean;
  private iceServerText: string;

  /** @param addressRelayOnly the page's address asked for relay-only: the checkbox shows it, locked. */
  constructor(
    private readonly elements: PathSettingsElements,
    private readonly addressRelayOnly: boolean,
  ) {
    const stored = readStored();
    this.relayOnlySetting = stored.relayOnly;
    this.iceServerText = stored.iceServerText;
    elements.relayOnly.checked = addressRelayOnly || stored.relayOnly;
    elements.relayOnly.disabled = addressRelayOnly;
    if (addressRelayOnly) elements.relayOnly.parentElement?.append(` (set by the page's address, ?${RELAY_ONLY_PARAMETER})`);
    elements.iceServers.value = stored.iceServerText;
    elements.relayOnly.addEventListener('change', () => {
      this.relayOnlySetting = elements.relayOnly.checked;
      store(RELAY_ONLY_KEY, this.relayOnlySetting ? '1' : '');
    });
    elements.iceServers.addEventListener('change', () => this.takeIceServerText());
  }

  /** Whether the next transfer stays on the relay. */
  get relayOnly(): boolean {
    return this.addressRelayOnly || this.relayOnlySetting;
  }

  /** Keeps the typed servers when they check out; otherwise says why and keeps the last good ones. */
  private takeIceServerText(): void {
    const text = this.elements.iceServers.value.trim();
    try {
      parseIceServerUrls(text);
    } catch (error) {
      if (!(error instanceof IceServerError)) throw error;
      this.elements.iceServersError.textContent = `Not saved: ${error.message}.`;
      this.elements.iceServersError.hidden = false;
      return;
    }
    this.elements.iceServersError.hidden = true;
    this.iceServerText = text;
    store(ICE_SERVERS_KEY, text);
  }

  /**
   * What a session takes for its path: the browser's RTCPeerConnection (when it has one and the page
   * is not relay-only) and the ICE servers (the setting's, else `configured`, else none).
   */
  sessionOptions(configured: readonly RTCIceServer[] | undefined): Pick<SendOptions, 'webrtc' | 'iceServers'> {
    const RTCPeerConnection = globalThis.RTCPeerConnection;
    if (this.relayOnly || typeof RTCPeerConnection !== 'function') return {};
    let typed: RTCIceServer[] = [];
    try {
      typed = parseIceServerUrls(this.iceServerText);
    } catch {
      // Only checked text is stored; text changed behind the page's back is ignored.
    }
    const iceServers = typed.length > 0 ? typed : configured;
    return { webrtc: { RTCPeerConnection }, ...(iceServers ? { iceServers } : {}) };
  }
}
