/** Turns a name chosen by the (untrusted) sender into a plain file name that stays inside the output folder. */
export function safeFileName(name: string): string {
  // Keep only the last path segment, whatever the separator, so "../../x" and "C:\\x" cannot escape.
  const base = name.split(/[/\\]/).pop() ?? '';
  const cleaned = base
    .replace(/[<>:"|?*]/g, '_')
    .split('')
    .map((char) => (char.charCodeAt(0) < 0x20 || char.charCodeAt(0) === 0x7f ? '_' : char))
    .join('')
    .replace(/^[.\s]+$/, '')
    .trim();
  const limited = truncateUtf8(cleaned, 200);
  return limited === '' ? 'received-file' : limited;
}

/** Gives every name of a list a distinct (case-insensitive) spelling: "a.txt", "a (1).txt", ... */
export function distinctNames(names: readonly string[]): string[] {
  const taken = new Set<string>();
  return names.map((name) => {
    let candidate = name;
    for (let n = 1; taken.has(candidate.toLowerCase()); n++) {
      const dot = name.lastIndexOf('.');
      candidate = dot > 0 ? `${name.slice(0, dot)} (${n})${name.slice(dot)}` : `${name} (${n})`;
    }
    taken.add(candidate.toLowerCase());
    return candidate;
  });
}

function truncateUtf8(text: string, maxBytes: number): string {
  const encoder = new TextEncoder();
  if (encoder.encode(text).length <= maxBytes) return text;
  let out = '';
  for (const char of text) {
    if (encoder.encode(out + char).length > maxBytes) break;
    out += char;
  }
  return out;
}
