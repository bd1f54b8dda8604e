import { formatPairingLink, parsePairingLink } from '../client';
import { linkThroughOwnAddress, relayUrlForLinks } from '../web/src/lan-links';

const secret = new Uint8Array(32).fill(7);
const config = { relayUrl: 'ws://127.0.0.1:3001', linkPageUrl: 'https://192.168.1.5:3001/', linkRelayUrl: 'wss://192.168.1.5:3001' };

function linkNaming(relayUrl: string): string {
  return formatPairingLink('https://192.168.1.5:3001/', { relayUrl, senderId: 'abc=', secret });
}

describe('relayUrlForLinks: the relay a link made by the page names', () => {
  it('names the LAN relay with the key of the relay the page sends through', () => {
    expect(relayUrlForLinks(config, 'ws://127.0.0.1:3001/?key=k3y-k3y-k3y')).toBe('wss://192.168.1.5:3001/?key=k3y-k3y-k3y');
  });

  it('names the sending relay itself when config.json gives no LAN address', () => {
    expect(relayUrlForLinks({ relayUrl: config.relayUrl }, 'ws://127.0.0.1:3001/?key=abc12345')).toBe('ws://127.0.0.1:3001/?key=abc12345');
  });
});

describe('linkThroughOwnAddress: a phone\'s link opened on the laptop page', () => {
  it('reaches a link naming this relay\'s LAN address through the address the page uses, keeping id, secret and key', () => {
    const rewritten = parsePairingLink(linkThroughOwnAddress(linkNaming('wss://192.168.1.5:3001/?key=abc12345'), config));
    expect(rewritten).toEqual({ relayUrl: 'ws://127.0.0.1:3001/?key=abc12345', senderId: 'abc=', secret });
  });

  it.each([
    ['another relay', 'wss://evil.test:3001/?key=abc12345'],
    ['another port', 'wss://192.168.1.5:3002/?key=abc12345'],
    ['plain ws to the same host', 'ws://192.168.1.5:3001/?key=abc12345'],
  ])('leaves a link naming %s unchanged', (_, relayUrl) => {
    const link = linkNaming(relayUrl);
    expect(linkThroughOwnAddress(link, config)).toBe(link);
  });

  it('leaves links unchanged without LAN addresses, and damaged links for the receive flow to refuse', () => {
    const link = linkNaming('wss://192.168.1.5:3001/');
    expect(linkThroughOwnAddress(link, { relayUrl: config.relayUrl })).toBe(link);
    expect(linkThroughOwnAddress('https://x.test/#v=1&relay=nonsense', config)).toBe('https://x.test/#v=1&relay=nonsense');
  });
});
