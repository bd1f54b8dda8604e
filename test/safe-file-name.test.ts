import { distinctNames, MAX_FILE_NAME_BYTES, safeFileName } from '../client/safe-file-name';
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
  ])('%j becomes %j', (name, expected) => {
    expect(safeFileName(name)).toBe(expected);
  });

  it(`keeps at most ${MAX_FILE_NAME_BYTES} bytes of UTF-8, never splitting a character`, () => {
    const name = safeFileName('é'.repeat(300));
    expect(new TextEncoder().encode(name).length).toBe(MAX_FILE_NAME_BYTES);
    expect(name).toBe('é'.repeat(MAX_FILE_NAME_BYTES / 2));
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
