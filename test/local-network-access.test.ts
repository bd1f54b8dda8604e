import { X509Certificate } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { lanAddresses } from '../local/lan-addresses';
import { chooseNetworkAccess } from '../local/network-access';
import { loadOrCreateRelayCertificate } from '../local/tls-certificate';

function iface(address: string, internal = false): os.NetworkInterfaceInfo {
  return { address, netmask: '255.255.255.0', family: 'IPv4', mac: '00:00:00:00:00:00', internal, cidr: `${address}/24` };
}

describe('lanAddresses: where a phone on the same network reaches this computer', () => {
  it('lists private IPv4 addresses first, never loopback, link-local or IPv6', () => {
    const v6: os.NetworkInterfaceInfo = { address: 'fe80::1', netmask: 'ffff::', family: 'IPv6', mac: '00:00:00:00:00:00', internal: false, cidr: 'fe80::1/64', scopeid: 1 };
    expect(lanAddresses({ lo: [iface('127.0.0.1', true)], docker: [iface('203.0.113.9')], wlan: [iface('192.168.1.5'), v6], eth: [iface('169.254.3.3'), iface('10.0.0.7')] })).toEqual([
      '192.168.1.5',
      '10.0.0.7',
      '203.0.113.9',
    ]);
  });

  it('is empty on a machine with loopback only', () => {
    expect(lanAddresses({ lo: [iface('127.0.0.1', true)] })).toEqual([]);
  });
});

describe('the local relay\'s certificate', () => {
  let folder: string;
  const files = () => ({ cert: path.join(folder, 'cert.pem'), key: path.join(folder, 'key.pem') });
  beforeEach(() => (folder = fs.mkdtempSync(path.join(os.tmpdir(), 'banguins-cert-'))));
  afterEach(() => fs.rmSync(folder, { recursive: true, force: true }));

  it('is made once for its names, with a key only the user reads, and kept across starts', async () => {
    const first = await loadOrCreateRelayCertificate(files(), ['localhost', '192.168.1.5', 'Laptop.local']);
    expect(first.created).toBe(true);
    const x509 = new X509Certificate(first.cert);
    expect(x509.checkIP('192.168.1.5')).toBe('192.168.1.5');
    expect(x509.checkHost('laptop.local')).toBe('laptop.local');
    expect(x509.checkHost('other.local')).toBeUndefined();
    expect(fs.statSync(files().key).mode & 0o077).toBe(0);
    const again = await loadOrCreateRelayCertificate(files(), ['192.168.1.5']);
    expect(again).toMatchObject({ created: false, cert: first.cert, fingerprint256: first.fingerprint256 });
  });

  it('is made anew for a new network address, keeping the names it had', async () => {
    await loadOrCreateRelayCertificate(files(), ['localhost', '192.168.1.5']);
    const moved = await loadOrCreateRelayCertificate(files(), ['localhost', '10.0.0.7']);
    expect(moved.created).toBe(true);
    expect(moved.names).toEqual(['localhost', '10.0.0.7', '192.168.1.5']);
  });

  it('is made anew a month before it expires, and when the files were tampered with', async () => {
    const now = new Date('2026-12-03T00:00:00Z');
    const first = await loadOrCreateRelayCertificate(files(), ['localhost'], now);
    const nearExpiry = new Date(Date.parse(new X509Certificate(first.cert).validTo) - 10 * 24 * 3600 * 1000);
    expect((await loadOrCreateRelayCertificate(files(), ['localhost'], nearExpiry)).created).toBe(true);
    fs.writeFileSync(files().key, 'not a key');
    expect((await loadOrCreateRelayCertificate(files(), ['localhost'])).created).toBe(true);
  });
});

describe('chooseNetworkAccess: npm start\'s TLS and the address links name', () => {
  let folder: string;
  const lines: string[] = [];
  const machine = (interfaces: NodeJS.Dict<os.NetworkInterfaceInfo[]>) => ({
    interfaces,
    hostname: 'laptop',
    certificateFiles: { cert: path.join(folder, 'cert.pem'), key: path.join(folder, 'key.pem') },
  });
  beforeEach(() => {
    folder = fs.mkdtempSync(path.join(os.tmpdir(), 'banguins-net-'));
    lines.length = 0;
  });
  afterEach(() => fs.rmSync(folder, { recursive: true, force: true }));
  const out = (line: string) => void lines.push(line);

  it('on loopback: no TLS, no other address, no certificate made', async () => {
    const access = await chooseNetworkAccess({ host: '127.0.0.1' }, out, machine({ wlan: [iface('192.168.1.5')] }));
    expect(access).toEqual({ publicUrl: undefined });
    expect(fs.existsSync(path.join(folder, 'cert.pem'))).toBe(false);
  });

  it('on 0.0.0.0: https on the first LAN address, with a certificate for it, the host name and localhost', async () => {
    const access = await chooseNetworkAccess({ host: '0.0.0.0' }, out, machine({ wlan: [iface('192.168.1.5')] }));
    expect(access.publicUrl?.(3001)).toBe('https://192.168.1.5:3001/');
    expect(access.certificate?.names).toEqual(['localhost', '127.0.0.1', 'laptop', 'laptop.local', '192.168.1.5']);
    expect(lines.join('\n')).toContain('TLS certificate: new, kept in');
  });

  it('with --no-tls: plain http on the LAN address', async () => {
    const access = await chooseNetworkAccess({ host: '0.0.0.0', tls: false }, out, machine({ wlan: [iface('192.168.1.5')] }));
    expect(access.certificate).toBeUndefined();
    expect(access.publicUrl?.(3001)).toBe('http://192.168.1.5:3001/');
  });

  it('with --public-url: that address, in the certificate too', async () => {
    const access = await chooseNetworkAccess({ host: '0.0.0.0', publicUrl: 'https://laptop.example:8443/' }, out, machine({}));
    expect(access.publicUrl?.(3001)).toBe('https://laptop.example:8443/');
    expect(access.certificate?.names).toContain('laptop.example');
  });

  it('says so when the computer has no network address', async () => {
    const access = await chooseNetworkAccess({ host: '0.0.0.0' }, out, machine({ lo: [iface('127.0.0.1', true)] }));
    expect(access.publicUrl).toBeUndefined();
    expect(lines).toContain('No network address found on this computer: other devices cannot reach it (connect to a Wi-Fi, or give --public-url).');
  });
});
