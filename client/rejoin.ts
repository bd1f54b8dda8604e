import type { ControlMessage } from './control-messages';
import { requestFrame, type RequestMessage } from './wire-frames';

/**
 * Serialises the Request that carries a control message. Once the two sides are paired, a `hello`
 * asks the relay to `rejoin` (docs/protocol.md): when the peer's last known id is unknown or gone,
 * the relay delivers it to the peer's newest connection with the same qrhash instead, so two sides
 * that both reconnected (or a relay that restarted) still find each other. Pairing hellos, `cancel`
 * and `bye` never rejoin: they must reach the named connection or no one.
 */
export function controlRequestFrame(request: RequestMessage, control: ControlMessage, paired: boolean): string {
  return requestFrame(paired && control.t === 'hello' ? { ...request, rejoin: true } : request);
}
