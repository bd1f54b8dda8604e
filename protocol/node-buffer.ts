/**
 * Node's Buffer when it is present (the relay, the CLI, the tests), without importing anything
 * Node-only, so protocol/ still runs in browsers; undefined there. Only what protocol/ uses of it.
 */
interface NodeBufferBytes extends Uint8Array {
  toString(encoding?: string): string;
  write(text: string, offset: number, encoding: 'latin1' | 'base64'): number;
}

interface NodeBufferClass {
  from(data: ArrayBufferLike, offset: number, length: number): NodeBufferBytes;
  from(data: string, encoding: string): NodeBufferBytes;
  allocUnsafe(size: number): NodeBufferBytes;
}

/** Node's Buffer, or undefined in a browser. */
export const nodeBuffer = (globalThis as { Buffer?: NodeBufferClass }).Buffer;
