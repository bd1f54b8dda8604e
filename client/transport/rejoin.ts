import type { ControlMessage } from '../crypto/control-messages';
import type { RequestMessage } from '../../protocol/frames';
import { requestFrame } from './wire-frames';

/**
 * Serialises the Request that carries a control message. Once the two sides are paired, a `hello`
 * asks the relay to `rejoin` (docs/protocol.md): when the peer's last known id is unknown or gone,
 * the relay delivers it to the peer's newest connection with the same qrhash instead, so two sides
 * that both reconnected (or a relay that restarted) still find each other. A hello that carries a
 * session id (a pairing hello, or the sender's answer to one), `cancel`, `bye`, `receipt` and `rtc` never
 * rejoin: they must reach the named connection or no one, since the relay's newest connection with
 * the qrhash may be anyone who saw the link.
 */
export function controlRequestFrame(request: RequestMessage, control: ControlMessage, paired: boolean): string {
  return requestFrame(paired && control.t === 'hello' && control.session === undefined ? { ...request, rejoin: true } : request);
}
