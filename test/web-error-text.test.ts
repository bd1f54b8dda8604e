import {
  BadLinkError,
  CancelledError,
  HashMismatchError,
  LinkInUseError,
  PairingRefusedError,
  PeerGoneError,
  RelayError,
  RelayUnreachableError,
  TimeoutError,
  UnconfirmedError,
} from '../client';
import { PageConfigError } from '../web/src/config';
import { describeError } from '../web/src/error-text';
import { CameraError } from '../web/src/qr-scanner';

describe('describeError: what the page tells a person', () => {
  it.each([
    { name: 'RelayUnreachableError', error: new RelayUnreachableError('x'), role: 'send', paired: false, expected: /^The relay is not running or cannot be reached: start it \(npm start\).*; if it needs an access key, .*\(x\)\.$/ },
    { name: 'RelayUnreachableError', error: new RelayUnreachableError('x'), role: 'receive', paired: false, expected: /^The relay is not running or cannot be reached: .*; if it needs an access key, this link carries none, so ask for a new link \(x\)\.$/ },
    {
      name: 'RelayUnreachableError (with a key)',
      error: new RelayUnreachableError('x', { withRelayKey: true }),
      role: 'receive',
      paired: false,
      expected: /^The relay refused the access key in this link or cannot be reached: ask the sender for a new link, or check that the relay is running \(x\)\.$/,
    },
    { name: 'RelayUnreachableError', error: new RelayUnreachableError('x'), role: 'receive', paired: true, expected: /^The connection to the relay was lost and could not be restored/ },
    { name: 'PeerGoneError', error: new PeerGoneError('x'), role: 'receive', paired: false, expected: /^This link has expired: the sender is no longer waiting\. Ask for a new link/ },
    { name: 'PeerGoneError', error: new PeerGoneError('x'), role: 'receive', paired: true, expected: /^The sender left and did not come back/ },
    { name: 'PeerGoneError', error: new PeerGoneError('x'), role: 'send', paired: true, expected: /^The receiver left and did not come back/ },
    { name: 'PairingRefusedError', error: new PairingRefusedError('x'), role: 'receive', paired: false, expected: /^This link was refused/ },
    { name: 'BadLinkError', error: new BadLinkError('x'), role: 'receive', paired: false, expected: /^This link is incomplete or damaged/ },
    { name: 'HashMismatchError', error: new HashMismatchError('x'), role: 'receive', paired: true, expected: /^A file arrived damaged \(its checksum does not match\), so it was not saved/ },
    {
      name: 'HashMismatchError naming its file',
      error: new HashMismatchError('photo.jpg arrived damaged (its SHA-256 differs from the one announced); nothing was saved; send it again', { file: { index: 0, name: 'photo.jpg' } }),
      role: 'receive',
      paired: true,
      expected: /^photo\.jpg arrived damaged \(its SHA-256 differs from the one announced\); nothing was saved; send it again\.$/,
    },
    { name: 'TimeoutError', error: new TimeoutError('x'), role: 'send', paired: true, expected: /^The receiver stopped answering/ },
    { name: 'CancelledError', error: new CancelledError('the sender cancelled'), role: 'receive', paired: true, expected: /^The transfer was cancelled \(the sender cancelled\)/ },
    // The client's own code for it, once it has one.
    { name: 'LinkInUse', error: new LinkInUseError('x'), role: 'receive', paired: false, expected: /^This link is already in use by another device: .*\(x\)\.$/ },
    { name: 'Unconfirmed', error: new UnconfirmedError('the receiver did not confirm a.bin'), role: 'send', paired: true, expected: /^The receiver did not confirm that the files arrived: they may not have\. Send them again \(the receiver did not confirm a\.bin\)\.$/ },
    { name: 'RelayError', error: new RelayError('InternalError', 'x'), role: 'send', paired: true, expected: /^The transfer failed \(x\)\. Try again\.$/ },
    { name: 'Error', error: new Error('boom'), role: 'send', paired: false, expected: /^Something went wrong \(boom\)\. Reload the page and try again\.$/ },
  ] as const)('$name while $role, paired $paired', ({ error, role, paired, expected }) => {
    const text = describeError(error, { role, paired });
    expect(text).toMatch(expected);
    expect(text).not.toMatch(/\n|at .*\.ts:\d+/);
  });

  it('shows a peer or relay text quoted in a message as visible escapes, never as bidi or control characters', () => {
    const text = describeError(new CancelledError('the sender cancelled: ok\u202e\u001b[2J\u009b31m\u2028'), { role: 'receive', paired: true });
    expect(text).toBe('The transfer was cancelled (the sender cancelled: ok\\u202e\\x1b[2J\\x9b31m\\u2028).');
  });

  it('passes camera and config messages through as they are', () => {
    expect(describeError(new CameraError('No camera was found on this device.'), { role: 'receive', paired: false })).toBe('No camera was found on this device.');
    expect(describeError(new PageConfigError('config.json is not JSON.'), { role: 'send', paired: false })).toBe('config.json is not JSON.');
  });
});
