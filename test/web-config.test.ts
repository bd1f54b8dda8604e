import { PageConfigError, parsePageConfig } from '../web/src/config';
import { IceServerError, parseIceServerUrls } from '../web/src/ice-servers';

describe('parsePageConfig (config.json beside the page)', () => {
  it.each(['ws://127.0.0.1:3001', 'wss://abc.execute-api.eu-west-1.amazonaws.com/dev'])('accepts %s', (relayUrl) => {
    expect(parsePageConfig({ relayUrl })).toEqual({ relayUrl });
  });

  it.each([null, {}, { relayUrl: 42 }, { relayUrl: 'https://example.com' }, { relayUrl: 'ws://has space' }])('refuses %p with a PageConfigError', (value) => {
    expect(() => parsePageConfig(value)).toThrow(PageConfigError);
    expect(() => parsePageConfig(value)).toThrow('config.json does not name the relay: expected {"relayUrl":"wss://…"}');
  });
});

describe('parsePageConfig: iceServers', () => {
  const relayUrl = 'wss://relay.example/dev';

  it('accepts STUN and TURN servers, a URL or a list, with optional username and credential', () => {
    const iceServers = [
      { urls: 'stun:stun.example.org:3478' },
      { urls: ['turn:turn.example.org:3478?transport=udp', 'turns:turn.example.org:5349'], username: 'u', credential: 'c' },
      { urls: 'stuns:stun.example.org' },
    ];
    expect(parsePageConfig({ relayUrl, iceServers })).toEqual({ relayUrl, iceServers });
  });

  it('keeps only the fields of RTCIceServer it knows', () => {
    expect(parsePageConfig({ relayUrl, iceServers: [{ urls: 'stun:a.example', extra: 1 }] })).toEqual({ relayUrl, iceServers: [{ urls: 'stun:a.example' }] });
  });

  it('leaves iceServers out when config.json has none', () => {
    expect(parsePageConfig({ relayUrl })).toEqual({ relayUrl });
  });

  it.each([
    ['not an array', { urls: 'stun:a.example' }, 'iceServers is not an array'],
    ['an entry that is not an object', ['stun:a.example'], 'iceServers[0] is not an object'],
    ['an http URL', [{ urls: 'http://a.example' }], 'iceServers[0].urls "http://a.example" is not a stun:, stuns:, turn: or turns: URL'],
    ['a bad URL in a list', [{ urls: ['stun:a.example', 'stun: spaced'] }], 'iceServers[0].urls[1] "stun: spaced" is not a stun:, stuns:, turn: or turns: URL'],
    ['no urls', [{ username: 'u' }], 'iceServers[0].urls undefined is not a stun:, stuns:, turn: or turns: URL'],
    ['an empty list of urls', [{ urls: [] }], 'iceServers[0].urls is empty'],
    ['a username that is not a string', [{ urls: 'turn:a.example', username: 7 }], 'iceServers[0].username is not a string'],
    ['a credential that is not a string', [{ urls: 'turn:a.example', credential: {} }], 'iceServers[0].credential is not a string'],
    ['too many servers', Array.from({ length: 17 }, () => ({ urls: 'stun:a.example' })), 'iceServers lists 17 servers; at most 16'],
  ])('refuses %s with a PageConfigError naming it', (_what, iceServers, reason) => {
    expect(() => parsePageConfig({ relayUrl, iceServers })).toThrow(PageConfigError);
    expect(() => parsePageConfig({ relayUrl, iceServers })).toThrow(`config.json lists unusable ICE servers: ${reason}`);
  });
});

describe('parseIceServerUrls (the page setting)', () => {
  it('reads URLs separated by spaces, commas or new lines, one server each', () => {
    expect(parseIceServerUrls(' stun:a.example:3478,turn:b.example\nstuns:c.example ')).toEqual([
      { urls: 'stun:a.example:3478' },
      { urls: 'turn:b.example' },
      { urls: 'stuns:c.example' },
    ]);
  });

  it('gives none for empty text', () => {
    expect(parseIceServerUrls('  ')).toEqual([]);
  });

  it('refuses a URL of another scheme, naming it', () => {
    expect(() => parseIceServerUrls('stun:a.example https://b.example')).toThrow(new IceServerError('"https://b.example" is not a stun:, stuns:, turn: or turns: URL'));
  });
});

describe('parsePageConfig: link addresses (npm start -- --lan)', () => {
  const relayUrl = 'ws://127.0.0.1:3001';
  const links = { linkPageUrl: 'https://192.168.1.5:3001/', linkRelayUrl: 'wss://192.168.1.5:3001' };

  it('keeps a page and a relay address for links', () => {
    expect(parsePageConfig({ relayUrl, ...links })).toEqual({ relayUrl, ...links });
  });

  it.each([
    { linkPageUrl: 'javascript:alert(1)', linkRelayUrl: links.linkRelayUrl },
    { linkPageUrl: links.linkPageUrl, linkRelayUrl: 'https://192.168.1.5:3001' },
    { linkPageUrl: links.linkPageUrl },
    { linkPageUrl: 'https://a.test/#x', linkRelayUrl: links.linkRelayUrl },
  ])('drops link addresses that are not an http(s) page and a ws(s) relay, together: %p', (value) => {
    expect(parsePageConfig({ relayUrl, ...value })).toEqual({ relayUrl });
  });
});
