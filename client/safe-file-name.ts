/** The suffix of a file still being received (the CLI's); it takes its final name only once its hash checks. */
export const PARTIAL_SUFFIX = '.banguins-partial';

/** Longest file name written, in UTF-8 bytes (file systems allow 255; room is left for " (n)" and the partial suffix). */
export const MAX_FILE_NAME_BYTES = 200;

/** Names Windows reserves for devices, with or without an extension ("CON", "aux.txt", "LPT1.log"). */
const WINDOWS_DEVICE_NAME = /^(con|prn|aux|nul|com[0-9¹²³]|lpt[0-9¹²³])(\.|$)/i;

/**
 * Turns a name chosen by the (untrusted) sender into a plain file name that stays inside the output
 * folder (the CLI's `--out`, or the folder a browser picked) and is safe to copy to Windows and
 * macOS: the last path segment only, control and reserved characters replaced, no device names, no
 * trailing dot or space, no `.banguins-partial` ending, at most MAX_FILE_NAME_BYTES bytes;
 * "received-file" when nothing is left.
 */
export function safeFileName(name: string): string {
  // Keep only the last path segment, whatever the separator, so "../../x" and "C:\\x" cannot escape.
  const base = name.split(/[/\\]/).pop() ?? '';
  const cleaned = [...base.normalize('NFC')]
    .map((char) => (char.charCodeAt(0) < 0x20 || char.charCodeAt(0) === 0x7f || '<>:"|?*'.includes(char) ? '_' : char))
    .join('')
    .trim();
  let limited = truncateUtf8(cleaned, MAX_FILE_NAME_BYTES).replace(/[.\s]+$/, '');
  if (WINDOWS_DEVICE_NAME.test(limited)) limited = `_${limited}`;
  // A finished file must never look like an unfinished one.
  if (limited.toLowerCase().endsWith(PARTIAL_SUFFIX)) limited = `${limited.slice(0, -PARTIAL_SUFFIX.length)}_${PARTIAL_SUFFIX.slice(1)}`;
  return limited === '' || /^[.\s]*$/.test(limited) ? 'received-file' : limited;
}

/**
 * Gives every name of a list a distinct spelling, ignoring case and Unicode normalisation (as
 * macOS and Windows do): "a.txt", "a (1).txt", ...
 */
export function distinctNames(names: readonly string[]): string[] {
  const taken = new Set<string>();
  const key = (name: string) => name.normalize('NFC').toLowerCase();
  return names.map((name) => {
    let candidate = name;
    for (let n = 1; taken.has(key(candidate)); n++) {
      const dot = name.lastIndexOf('.');
      candidate = dot > 0 ? `${name.slice(0, dot)} (${n})${name.slice(dot)}` : `${name} (${n})`;
    }
    taken.add(key(candidate));
    return candidate;
  });
}

function truncateUtf8(text: string, maxBytes: number): string {
  const encoder = new TextEncoder();
  if (encoder.encode(text).length <= maxBytes) return text;
  let out = '';
  let bytes = 0;
  for (const char of text) {
    const size = encoder.encode(char).length;
    if (bytes + size > maxBytes) break;
    out += char;
    bytes += size;
  }
  return out;
}
