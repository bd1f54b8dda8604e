import { MAX_MESSAGE_BYTES } from './limits';
import { nodeBuffer } from './node-buffer';

/** Shortest `data` worth splicing in: below it, JSON.stringify is as quick as the check. */
const SPLICE_MIN_LENGTH = 1024;
/**
 * A character outside the standard base64 alphabet and `=`: a string without one needs no escaping
 * in JSON. Where Node's Buffer is missing (a browser page), the check of a `data` from elsewhere is
 * one search for it (about 0.85 GB/s).
 */
const NOT_BASE64 = /[^A-Za-z0-9+/=]/;
/**
 * A character wider than a byte. Node decodes base64 from such a string by each character's low
 * byte ("Ł", U+0141, as "A"), so they are refused before the count. On a string V8 holds one byte
 * per character (any frame without such a character) the search ends at once.
 */
// eslint-disable-next-line no-control-regex -- the class is every character of one byte, \x00 included
const WIDER_THAN_A_BYTE = /[^\x00-\xff]/;
/** The most bytes a `data` decodes to in a message of MAX_MESSAGE_BYTES. */
const MAX_DATA_BYTES = (MAX_MESSAGE_BYTES / 4) * 3;
/** Where isSpliceableBase64 decodes under Node, made on its first use and reused (never read). */
let scratch: ReturnType<NonNullable<typeof nodeBuffer>['allocUnsafe']> | undefined;

/**
 * Whether `data` can be spliced into JSON text as it is and sliced out again: it holds no `"`, `\`,
 * control character or non-ASCII character, so JSON neither escapes nor ends it, and each character
 * is one byte. Under Node: every character is one of base64's (either alphabet) and `=` only ends
 * it, checked by decoding it into a scratch buffer (Node's SIMD decoder, about 30 times quicker than
 * the search, which was a tenth of the relay's CPU), after refusing any character wider than a byte.
 * Why a count suffices: a decoder takes at most 6 bits from a byte and none from a byte outside its
 * alphabet or after padding, so `data.length / 4 * 3 - padding` bytes come out only when every
 * character before the padding gave its 6 bits (for a length that is not a multiple of 4, that
 * count is not whole and never matches). Whether the base64 is canonical is the receiver's check
 * (the chunk's hash and tag).
 */
export function isSpliceableBase64(data: string): boolean {
  if (!nodeBuffer || data.length > (MAX_DATA_BYTES / 3) * 4) return !NOT_BASE64.test(data);
  if (WIDER_THAN_A_BYTE.test(data)) return false;
  const padding = data.endsWith('==') ? 2 : data.endsWith('=') ? 1 : 0;
  scratch ??= nodeBuffer.allocUnsafe(MAX_DATA_BYTES);
  return scratch.write(data, 0, 'base64') === (data.length / 4) * 3 - padding;
}

/** What precedes `data` in a frame frameJson wrote, and what follows it. */
const DATA_MEMBER = ',"data":"';
const FRAME_END = '"}}';

/** How frameJson may treat `message.data`. */
export interface FrameJsonOptions {
  /**
   * `data` is toBase64's own output (protocol/base64.ts: the standard alphabet and padding, nothing
   * to escape), so its check (isSpliceableBase64) is skipped. Never for data that
   * came from elsewhere: the relay checks what it forwards.
   */
  readonly dataIsOwnBase64?: boolean;
}

/**
 * The JSON text of `{ action, message }` in parts: `[head, data, tail]` to be joined as they are when
 * a long base64 `message.data` is spliced in last, else `[text]` (JSON.stringify's).
 */
function frameJsonParts(action: string, message: object, options: FrameJsonOptions): readonly [string] | readonly [string, string, string] {
  const { data, ...rest } = message as { readonly data?: unknown };
  if (typeof data !== 'string' || data.length < SPLICE_MIN_LENGTH || (!options.dataIsOwnBase64 && !isSpliceableBase64(data))) {
    return [JSON.stringify({ action, message })];
  }
  const open = JSON.stringify({ action, message: rest }).slice(0, -2); // without the closing "}}"
  return [`${open}${open.endsWith('{') ? '' : ','}"data":"`, data, FRAME_END];
}

/**
 * The JSON text of `{ action, message }`, the same value as JSON.stringify gives. A long
 * `message.data` that is base64 comes last and is copied in whole: it needs no escaping,
 * and JSON.stringify checks a string one character at a time (about 330 MB/s on Node 20, 0.4 ms
 * for a 128 KB chunk, where the check and copy take about 0.1 ms). The client writes its Transfer
 * frames with it.
 */
export function frameJson(action: string, message: object, options: FrameJsonOptions = {}): string {
  return frameJsonParts(action, message, options).join('');
}

const encoder = new TextEncoder();

/**
 * frameJson's text as UTF-8 bytes, written part by part: a spliced `data` goes straight into the
 * output, never into a joined 128 KB string first (joining, then encoding, was half of what the
 * relay allocated on its heap per chunk). Under Node the output is not zero-filled first and `data`
 * is copied as Latin-1 (it is ASCII), a plain copy. The relay posts the frames it forwards with it,
 * and the CLI sends its Transfer frames with it (RelayConnection.sendMessage takes the bytes).
 */
export function frameJsonBytes(action: string, message: object, options: FrameJsonOptions = {}): Uint8Array {
  const parts = frameJsonParts(action, message, options);
  if (parts.length === 1) return encoder.encode(parts[0]);
  const [head, data, tail] = parts;
  const headBytes = encoder.encode(head);
  const size = headBytes.length + data.length + tail.length;
  // data and tail are ASCII (base64 characters, `"}}`): one byte per character.
  if (nodeBuffer) {
    const out = nodeBuffer.allocUnsafe(size);
    out.set(headBytes, 0);
    out.write(data, headBytes.length, 'latin1');
    out.write(tail, headBytes.length + data.length, 'latin1');
    return out;
  }
  const out = new Uint8Array(size);
  out.set(headBytes, 0);
  encoder.encodeInto(data, out.subarray(headBytes.length));
  encoder.encodeInto(tail, out.subarray(headBytes.length + data.length));
  return out;
}

/** How parseFrameJson may check a spliced `data`. */
export interface ParseFrameJsonOptions {
  /**
   * The reader checks `data` itself: it decodes the base64 and verifies the bytes (a chunk's hash
   * and AES-GCM tag), so a `data` that is not the sealed chunk is refused there, whatever characters
   * it holds. Then only what would change the value or the shape of the frame is searched for, a `"`
   * or a `\` (two native searches; the search for any character outside the alphabet was a seventh
   * of the receiving CLI's CPU, and browsers still have only that search for isSpliceableBase64); a
   * control character, which JSON.parse refuses in a string, stays in `data` as it came, for the
   * reader's checks to refuse. The value is JSON.parse's for every text JSON.parse accepts. Never
   * for text the relay forwards: it checks every character (isSpliceableBase64).
   */
  readonly dataCheckedByReader?: boolean;
}

/** Whether a `data` slice holds a `"` or a `\`: the only characters that end a JSON string or start an escape. */
function mayChangeJsonString(data: string): boolean {
  return data.includes('"') || data.includes('\\');
}

/** Whether a parsed frame head is `{ action: string, message: object }` and nothing else. */
function isFrameHead(value: unknown): value is { action: string; message: Record<string, unknown> } {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const { action, message } = value as Record<string, unknown>;
  return Object.keys(value).length === 2 && typeof action === 'string' && typeof message === 'object' && message !== null && !Array.isArray(message);
}

/** Characters after which `,"data":…` would not follow a complete value (`{`, `,` and white space). */
const NOT_AFTER_VALUE = new Set([...'{, \t\n\r'].map((c) => c.charCodeAt(0)));

/**
 * JSON.parse of a frame's text, the same value (or the same SyntaxError), quicker for the frames
 * frameJson writes: when the text ends with a long base64 `data` as the last member of `message`
 * (`{"action":…,"message":{…,"data":"…"}}`), only the text before `data` goes through JSON.parse,
 * and `data` is checked by isSpliceableBase64 and taken as a slice of the text, not
 * copied. Why the value is the same: `,"data":"` cannot lie inside a JSON string (its quotes are
 * not escaped), so when the head closed with `}}` parses to `{action, message}` and nothing else,
 * the second `}` closed the top level and the first closed `message`, its last member; the full
 * text only adds `data` as message's last member, which wins over an earlier `data` as it does in
 * JSON.parse. Anything else (another layout, a short frame) goes to JSON.parse whole.
 */
export function parseFrameJson(text: string, options: ParseFrameJsonOptions = {}): unknown {
  if (text.length >= SPLICE_MIN_LENGTH && text.endsWith(FRAME_END)) {
    const at = text.indexOf(DATA_MEMBER);
    const dataStart = at + DATA_MEMBER.length;
    const dataEnd = text.length - FRAME_END.length;
    if (at > 0 && dataStart <= dataEnd && !NOT_AFTER_VALUE.has(text.charCodeAt(at - 1))) {
      const data = text.slice(dataStart, dataEnd);
      if (options.dataCheckedByReader ? !mayChangeJsonString(data) : isSpliceableBase64(data)) {
        let head: unknown;
        try {
          head = JSON.parse(`${text.slice(0, at)}}}`);
        } catch {
          head = undefined;
        }
        if (isFrameHead(head)) {
          head.message.data = data;
          return head;
        }
      }
    }
  }
  return JSON.parse(text);
}
