import { replaceUnsafeCharacters } from './printable-text';

/** The suffix of a file still being received (the CLI's); it takes its final name only once its hash checks. */
export const PARTIAL_SUFFIX = '.banguins-partial';

/** Longest file name written, in UTF-8 bytes (file systems allow 255; room is left for " (n)" and the partial suffix). */
export const MAX_FILE_NAME_BYTES = 200;

/** Names Windows reserves for devices, with or without an extension ("CON", "aux.txt", "LPT1.log"). */
const WINDOWS_DEVICE_NAME = /^(con|prn|aux|nul|com[0-9¹²³]|lpt[0-9¹²³])\s*(\.|$)/i;

/** Characters Windows forbids in a name (the separators are gone by then). */
const RESERVED_CHARACTER = /[<>:"|?*]/g;

/** The extension a long name keeps when it is cut: one or two short dotted parts ("x.pdf", "x.tar.gz"). */
const KEPT_EXTENSION = /(?:\.[^.\s]{1,15}){1,2}$/u;

const utf8 = new TextEncoder();

/**
 * Turns a name chosen by the (untrusted) sender into a plain file name that stays inside the output
 * folder (the CLI's `--out`, or the folder a browser picked) and is safe to copy to Windows and
 * macOS and to print: the last path segment only; controls (C0, C1), bidi controls, U+2028/2029,
 * lone surrogates and reserved characters replaced with `_`; no device names, no trailing dot or
 * space, no `.banguins-partial` ending; at most MAX_FILE_NAME_BYTES bytes, cut before the
 * extension so it stays; "received-file" when nothing is left.
 */
export function safeFileName(name: string): string {
  // Keep only the last path segment, whatever the separator, so "../../x" and "C:\\x" cannot escape.
  const base = name.split(/[/\\]/).pop() ?? '';
  const cleaned = replaceUnsafeCharacters(base, () => '_')
    .normalize('NFC')
    .replace(RESERVED_CHARACTER, '_')
    .trim();
  let limited = fitToLimit(cleaned);
  if (WINDOWS_DEVICE_NAME.test(limited)) limited = fitToLimit(`_${limited}`);
  // A finished file must never look like an unfinished one.
  if (limited.toLowerCase().endsWith(PARTIAL_SUFFIX)) limited = `${limited.slice(0, -PARTIAL_SUFFIX.length)}_${PARTIAL_SUFFIX.slice(1)}`;
  return limited === '' || /^[.\s]*$/.test(limited) ? 'received-file' : limited;
}

/**
 * Gives every name of a list a distinct spelling, ignoring case, Unicode normalisation (as macOS
 * and Windows do) and lone surrogates (written to disk as U+FFFD): "a.txt", "a (1).txt", ...
 */
export function distinctNames(names: readonly string[]): string[] {
  const taken = new Set<string>();
  return names.map((name) => {
    let candidate = name;
    for (let n = 1; taken.has(sameFileKey(candidate)); n++) {
      const dot = name.lastIndexOf('.');
      candidate = dot > 0 ? `${name.slice(0, dot)} (${n})${name.slice(dot)}` : `${name} (${n})`;
    }
    taken.add(sameFileKey(candidate));
    return candidate;
  });
}

/** The names the files of a manifest are saved under, in its order: {@link safeFileName}, then {@link distinctNames}. */
export function savedFileNames(names: readonly string[]): string[] {
  return distinctNames(names.map(safeFileName));
}

/**
 * One key for the names a file system may take for the same file. Coarser than any file system
 * (case mapped both ways, NFC, lone surrogates as U+FFFD): two names with one key only cost a " (n)".
 */
function sameFileKey(name: string): string {
  return name
    .replace(/\p{Cs}/gu, '\uFFFD')
    .normalize('NFC')
    .toUpperCase()
    .toLowerCase()
    .normalize('NFC');
}

/** At most MAX_FILE_NAME_BYTES bytes, the extension kept, and no trailing dot or space (Windows drops them). */
function fitToLimit(name: string): string {
  return truncateKeepingExtension(name, MAX_FILE_NAME_BYTES).replace(/[.\s]+$/, '');
}

/** Cuts `text` to `maxBytes` of UTF-8 without splitting a character, taking the cut from before the extension when there is a short one. */
function truncateKeepingExtension(text: string, maxBytes: number): string {
  if (utf8.encode(text).length <= maxBytes) return text;
  const found = KEPT_EXTENSION.exec(text);
  if (!found || found.index === 0) return truncateUtf8(text, maxBytes);
  const extension = found[0];
  return truncateUtf8(text.slice(0, found.index), maxBytes - utf8.encode(extension).length) + extension;
}

function truncateUtf8(text: string, maxBytes: number): string {
  let out = '';
  let bytes = 0;
  for (const char of text) {
    const size = utf8.encode(char).length;
    if (bytes + size > maxBytes) break;
    out += char;
    bytes += size;
  }
  return out;
}
