import { PageConfigError, parsePageConfig } from '../web/src/config';

describe('parsePageConfig (config.json beside the page)', () => {
  it.each(['ws://127.0.0.1:3001', 'wss://abc.execute-api.eu-west-1.amazonaws.com/dev'])('accepts %s', (relayUrl) => {
    expect(parsePageConfig({ relayUrl })).toEqual({ relayUrl });
  });

  it.each([null, {}, { relayUrl: 42 }, { relayUrl: 'https://example.com' }, { relayUrl: 'ws://has space' }])('refuses %p with a PageConfigError', (value) => {
    expect(() => parsePageConfig(value)).toThrow(PageConfigError);
    expect(() => parsePageConfig(value)).toThrow('config.json does not name the relay: expected {"relayUrl":"wss://…"}');
  });
});
