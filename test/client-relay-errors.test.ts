import { PairingRefusedError } from '../client/errors';
import { reactToRelayError } from '../client/transport/relay-error-codes';
import { parseIncomingFrame } from '../client/transport/wire-frames';

describe('how a session reacts to relay Error frames', () => {
  test('PeerGone about the current peer means the peer is away', () => {
    const frame = parseIncomingFrame(
      '{"action":"Error","message":{"code":"PeerGone","reason":"gone","request":"Transfer","connectionid":"B2="}}',
    );
    expect(frame).toEqual({
      action: 'Error',
      message: { code: 'PeerGone', reason: 'gone', request: 'Transfer', connectionid: 'B2=' },
    });
    if (frame?.action !== 'Error') throw new Error('expected an Error frame');
    expect(reactToRelayError(frame.message, 'B2=')).toBe('peer-away');
  });

  test.each(['PeerGone', 'UnknownPeer', 'NotPaired'])(
    '%s about a connection the peer already left behind is ignored',
    (code) => {
      expect(reactToRelayError({ code, reason: '', request: 'Transfer', connectionid: 'OldB=' }, 'NewB=')).toBe('ignore');
    },
  );

  test('without the connectionid extension (an older relay) the code decides alone', () => {
    expect(reactToRelayError({ code: 'PeerGone', reason: '', request: 'Transfer' }, 'NewB=')).toBe('peer-away');
    expect(reactToRelayError({ code: 'NotPaired', reason: '', request: 'Transfer' }, 'NewB=')).toBe('repair');
  });

  test('InternalError ("try again") is never fatal for the frames a client repeats or recovers', () => {
    const internal = (request: string) => reactToRelayError({ code: 'InternalError', reason: 'try again', request }, 'B=');
    // Chunks and acks: the acknowledgement protocol recovers them.
    expect(internal('Transfer')).toBe('ignore');
    expect(internal('Acknowledge')).toBe('ignore');
    // A keepalive Connect: the registration from the first one stands (RelayConnection repeats a first Connect itself).
    expect(internal('Connect')).toBe('ignore');
    // A Request (a hello, the first one pairs): say it again.
    expect(internal('Request')).toBe('resend');
    // Anything else a client does not send in a session stays fatal, in the relay's words.
    const other = internal('sendmessage');
    expect(typeof other === 'object' && other.fatal.message).toBe('the relay answered InternalError to sendmessage: try again');
  });

  test('a qrhash mismatch is fatal and refuses the pairing', () => {
    const reaction = reactToRelayError({ code: 'QrHashMismatch', reason: 'no', request: 'Request', connectionid: 'A=' }, 'A=');
    expect(typeof reaction === 'object' && reaction.fatal).toBeInstanceOf(PairingRefusedError);
  });
});
