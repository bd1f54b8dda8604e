import { PairingRefusedError } from '../client/errors';
import { reactToRelayError } from '../client/relay-error-codes';
import { parseIncomingFrame } from '../client/wire-frames';

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

  test('a qrhash mismatch is fatal and refuses the pairing', () => {
    const reaction = reactToRelayError({ code: 'QrHashMismatch', reason: 'no', request: 'Request', connectionid: 'A=' }, 'A=');
    expect(typeof reaction === 'object' && reaction.fatal).toBeInstanceOf(PairingRefusedError);
  });
});
