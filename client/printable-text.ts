/**
 * The characters that never reach a terminal or a file name as they are: C0 and C1 controls and DEL
 * (ESC and CSI start the sequences that clear a screen or write the clipboard, CR and LF forge
 * lines), the bidi controls that show text in another order (`invoice\u202Etxt.exe` reads
 * `invoiceexe.txt`), the line and paragraph separators, and lone surrogates (malformed UTF-16, which
 * every UTF-8 encoder turns into the same U+FFFD).
 */
const UNSAFE_CHARACTER = /[\p{Cc}\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069\u2028\u2029]|\p{Cs}/gu;

/** Replaces every unsafe character (controls, bidi controls, U+2028/2029, lone surrogates) with what `replace` makes of it. */
export function replaceUnsafeCharacters(text: string, replace: (char: string) => string): string {
  return text.replace(UNSAFE_CHARACTER, replace);
}

/**
 * Makes text that a peer or the relay chose (a cancel reason, an Error frame's code and reason, a
 * file name) safe to print on a terminal: each unsafe character becomes a visible escape
 * (`\x1b`, `\x9b`, `\u202e`), so `bye\x1b[2J` prints as those nine characters and clears nothing.
 */
export function printableText(text: string): string {
  return replaceUnsafeCharacters(text, escapeCharacter);
}

/** Text whose unsafe characters are escaped for a JSON string too (`\u001b`, `\u009b`, `\u202e`): JSON.parse reads back the same text. */
export function escapeUnsafeInJson(json: string): string {
  return replaceUnsafeCharacters(json, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

function escapeCharacter(char: string): string {
  const code = char.charCodeAt(0);
  return code < 0x100 ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
}
