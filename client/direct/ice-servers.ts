/**
 * STUN and TURN server URLs (RFC 7064 / RFC 7065) as the CLI, the page's config.json, the stack's
 * `-c iceServers=` and `npm start --ice-server` accept them: a scheme, a host, an optional port and
 * transport; no credentials, no spaces, at most 256 characters.
 */
const ICE_SERVER_URL = /^(stun|stuns|turn|turns):[A-Za-z0-9.\-[\]:]{1,240}(\?transport=(udp|tcp))?$/;

/** Whether `value` is a STUN or TURN URL we pass on to WebRTC (see {@link ICE_SERVER_URL}). */
export function isIceServerUrl(value: unknown): value is string {
  return typeof value === 'string' && ICE_SERVER_URL.test(value);
}

/** The RTCIceServer list of a list of checked URLs: one server per URL. */
export function iceServersOf(urls: readonly string[]): RTCIceServer[] {
  return urls.map((url) => ({ urls: url }));
}
