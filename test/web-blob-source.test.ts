import { randomBytes } from 'node:crypto';
import { blobSource } from '../web/src/blob-source';

describe('blobSource (the sending page reads a File in 4 MiB blocks)', () => {
  const MiB = 1024 * 1024;
  const content = randomBytes(9 * MiB + 123);
  const expectRead = async (source: ReturnType<typeof blobSource>, offset: number, length: number): Promise<void> => {
    const bytes = await source.read(offset, length);
    expect(Buffer.from(bytes).equals(content.subarray(offset, Math.min(offset + length, content.length)))).toBe(true);
  };

  it('gives the bytes asked for: within a block, across a block boundary, and short at the end', async () => {
    const source = blobSource(new Blob([content]));
    expect(source.size).toBe(content.length);
    await expectRead(source, 0, 24_064);
    await expectRead(source, 4 * MiB - 100, 24_064);
    await expectRead(source, 8 * MiB - 5, 2 * MiB);
    await expectRead(source, content.length - 50, 24_064);
    expect((await source.read(content.length, 10)).length).toBe(0);
  });

  it('reads a whole file chunk by chunk, with concurrent reads and resends of early chunks, byte for byte', async () => {
    const source = blobSource(new Blob([content]));
    const chunk = 96_256;
    const offsets = Array.from({ length: Math.ceil(content.length / chunk) }, (_, i) => i * chunk);
    for (let i = 0; i < offsets.length; i += 8) await Promise.all(offsets.slice(i, i + 8).map((offset) => expectRead(source, offset, chunk)));
    // Resends after the blocks have moved on: read again, from the Blob.
    await Promise.all([0, 1, 50].map((i) => expectRead(source, offsets[i]!, chunk)));
  });
});
