import * as path from 'node:path';

/**
 * `ws` masks every client frame and unmasks every frame a server reads. Without `bufferutil` it does
 * so in a JavaScript loop over each byte: in a profile of the local relay under `npm run load`, that
 * loop was its largest single cost (about 14% of its CPU), and it cost the CLI as much on every chunk
 * it sends. `bufferutil` is an optional dependency (prebuilt for linux-x64, macOS and Windows; ws
 * falls back to the loop where it cannot install). This checks that it is installed and that ws
 * picked it up, so a lockfile change that drops it fails here rather than in a benchmark.
 */
describe('ws masks and unmasks natively', () => {
  const bufferUtilOfWs = () => {
    // ws does not export lib/buffer-util; it sits beside ws's entry point.
    const file = path.join(path.dirname(require.resolve('ws')), 'lib', 'buffer-util.js');
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require(file) as { mask: (...args: unknown[]) => void; unmask: (buffer: Buffer, mask: Buffer) => void };
  };

  test('bufferutil loads on this machine', () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const native = require('bufferutil') as { unmask: (buffer: Buffer, mask: Buffer) => void };
    const bytes = Buffer.from('relay chunk bytes, masked');
    const key = Buffer.from([0x12, 0x34, 0x56, 0x78]);
    const copy = Buffer.from(bytes);
    native.unmask(copy, key);
    expect(copy.equals(bytes)).toBe(false);
    native.unmask(copy, key);
    expect(copy.equals(bytes)).toBe(true);
  });

  test("ws's mask and unmask go to bufferutil for frames of 32 bytes or more", () => {
    const { mask, unmask } = bufferUtilOfWs();
    expect(unmask.toString()).toContain('bufferUtil.unmask');
    expect(mask.toString()).toContain('bufferUtil.mask');
  });
});
