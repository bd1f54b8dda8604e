import fc from 'fast-check';
import { distinctNames, MAX_FILE_NAME_BYTES, savedFileNames, safeFileName } from '../client/safe-file-name';
import { folderFileNames } from '../web/src/receive-flow';

/** The one set of rules for a name an untrusted sender chose: the CLI's `--out` and the web page's picked folder. */
describe('safeFileName', () => {
  it.each([
    ['photo.jpg', 'photo.jpg'],
    ['../../etc/passwd', 'passwd'],
    ['..\\..\\win.ini', 'win.ini'],
    ['/etc/shadow', 'shadow'],
    ['C:\\Users\\x\\evil.exe', 'evil.exe'],
    ['a:c*d?e"f<g>h|i', 'a_c_d_e_f_g_h_i'],
    ['bell\u0007\u007f.txt', 'bell__.txt'],
    ['nul\u0000byte', 'nul_byte'],
    ['  spaced  ', 'spaced'],
    ['trailing dots...', 'trailing dots'],
    ['CON', '_CON'],
    ['aux.txt', '_aux.txt'],
    ['movie.mkv.banguins-partial', 'movie.mkv_banguins-partial'],
    ['', 'received-file'],
    ['.', 'received-file'],
    ['..', 'received-file'],
    ['dir/', 'received-file'],
    ['résumé 📄.pdf', 'résumé 📄.pdf'],
    ['invoice\u202Etxt.exe', 'invoice_txt.exe'],
    ['\u2066evil\u2069 \u200Emark\u200F \u061C.txt', '_evil_ _mark_ _.txt'],
    ['csi\u009b31m next\u0085line.txt', 'csi_31m next_line.txt'],
    ['a\u001b[31mred.txt', 'a_[31mred.txt'],
    ['line\u2028para\u2029.txt', 'line_para_.txt'],
    ['lone\ud800.txt', 'lone_.txt'],
    ['CON .txt', '_CON .txt'],
  ])('%j becomes %j', (name, expected) => {
    expect(safeFileName(name)).toBe(expected);
  });

  it(`keeps at most ${MAX_FILE_NAME_BYTES} bytes of UTF-8, never splitting a character`, () => {
    const name = safeFileName('é'.repeat(300));
    expect(new TextEncoder().encode(name).length).toBe(MAX_FILE_NAME_BYTES);
    expect(name).toBe('é'.repeat(MAX_FILE_NAME_BYTES / 2));
  });

  it('keeps the extension when it cuts a long name', () => {
    const name = safeFileName(`${'a'.repeat(250)}.pdf`);
    expect(name).toBe(`${'a'.repeat(MAX_FILE_NAME_BYTES - 4)}.pdf`);
  });

  it('cuts a long extension like the rest of the name', () => {
    const name = safeFileName(`report.${'x'.repeat(250)}`);
    expect(name).toBe(`report.${'x'.repeat(MAX_FILE_NAME_BYTES - 7)}`);
  });

  /** Characters an attacker would reach for, mixed with any UTF-16 code unit (lone surrogates included). */
  const hostileChar = fc.oneof(
    fc.constantFrom('a', 'A', '.', ' ', '/', '\\', ':', '\u001b', '\u009b', '\u0085', '\u202e', '\u2066', '\u200f', '\u2028', '\ud800', '\udc00', 'é', 'e\u0301', '📄'),
    fc.integer({ min: 0, max: 0xffff }).map((code) => String.fromCharCode(code)),
  );
  const hostileName = fc.string({ unit: hostileChar, maxLength: 300 });

  it('never lets a control, bidi control, line separator, lone surrogate or separator through, and stays within the limit', () => {
    fc.assert(
      fc.property(hostileName, (raw) => {
        const name = safeFileName(raw);
        expect(name).not.toMatch(/[\p{Cc}\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069\u2028\u2029/\\<>:"|?*]|\p{Cs}/u);
        expect(new TextEncoder().encode(name).length).toBeLessThanOrEqual(MAX_FILE_NAME_BYTES);
        expect(name).not.toMatch(/[.\s]$/);
      }),
      { numRuns: 500 },
    );
  });

  it('keeps a short extension of any name, however long', () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom('a', 'é', '📄', ' '), minLength: MAX_FILE_NAME_BYTES, maxLength: 400 }), fc.constantFrom('.txt', '.pdf', '.tar.gz', '.jpeg'), (stem, extension) => {
        const name = safeFileName(`x${stem}${extension}`);
        expect(name.endsWith(extension)).toBe(true);
      }),
      { numRuns: 200 },
    );
  });
});

describe('distinctNames', () => {
  it('gives names equal but for case or Unicode normalisation distinct spellings', () => {
    expect(distinctNames(['a.txt', 'A.txt', 'a.txt', 'e\u0301', '\u00e9', 'noext', 'noext'])).toEqual([
      'a.txt',
      'A (1).txt',
      'a (2).txt',
      'e\u0301',
      '\u00e9 (1)',
      'noext',
      'noext (1)',
    ]);
  });

  it('gives names that differ only in a lone surrogate distinct names on disk (UTF-8 writes both as U+FFFD)', () => {
    const names = distinctNames(['a\ud800.txt', 'a\udc00.txt', 'a\ufffd.txt']);
    const onDisk = names.map((name) => Buffer.from(name, 'utf8').toString('utf8'));
    expect(new Set(onDisk).size).toBe(3);
  });

  it('saves distinct sender names under names distinct on disk, always', () => {
    // What a file system may see as one file: UTF-8 (lone surrogates become U+FFFD), NFC, any case.
    const onDisk = (name: string) => Buffer.from(name, 'utf8').toString('utf8').normalize('NFC').toLowerCase();
    fc.assert(
      fc.property(fc.uniqueArray(fc.string({ unit: fc.constantFrom('a', 'A', '.', '\ud800', '\udc00', '\ufffd', '\u202e', '_', 'é', 'e\u0301', '/'), maxLength: 6 }), { maxLength: 12 }), (names) => {
        const saved = savedFileNames(names);
        expect(saved).toHaveLength(names.length);
        expect(new Set(saved.map(onDisk)).size).toBe(saved.length);
      }),
      { numRuns: 500 },
    );
  });
});

describe('the web page names files in a picked folder by the same rules', () => {
  it('sanitises every name and keeps them distinct within the manifest', () => {
    expect(folderFileNames([{ name: '../a.txt' }, { name: 'sub/a.txt' }, { name: 'CON' }, { name: '' }])).toEqual([
      'a.txt',
      'a (1).txt',
      '_CON',
      'received-file',
    ]);
  });
});
