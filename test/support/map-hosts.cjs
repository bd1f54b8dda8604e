// Test only, loaded with `node --require` into a CLI under test: resolves the names in
// BANGUINS_TEST_HOSTS ("laptop.test=127.0.0.1,other.test=127.0.0.1") to those addresses, as
// Chromium's --host-resolver-rules does for the browser, so both reach a "LAN" name that is this
// machine's loopback. Every other name resolves as usual.
// eslint-disable-next-line @typescript-eslint/no-require-imports -- a CommonJS file node --require loads before anything else
const dns = require('node:dns');

const mapped = new Map(
  (process.env.BANGUINS_TEST_HOSTS || '')
    .split(',')
    .filter(Boolean)
    .map((pair) => pair.split('=')),
);
const lookup = dns.lookup;
dns.lookup = function mappedLookup(hostname, options, callback) {
  const address = mapped.get(String(hostname).toLowerCase());
  if (address === undefined) return lookup.apply(this, arguments);
  const done = typeof options === 'function' ? options : callback;
  const all = typeof options === 'object' && options !== null && options.all;
  process.nextTick(() => (all ? done(null, [{ address, family: 4 }]) : done(null, address, 4)));
  return {};
};
