import { safeFileName } from '../web/src/receive-flow';

describe('safeFileName (files streamed into a picked folder)', () => {
  it.each([
    ['photo.jpg', 'photo.jpg'],
    ['../../etc/passwd', '.._.._etc_passwd'],
    ['a\\b:c*d?e"f<g>h|i', 'a_b_c_d_e_f_g_h_i'],
    ['bell\u0007\u007f.txt', 'bell__.txt'],
    ['  spaced  ', 'spaced'],
    ['', 'received-file'],
    ['.', 'received-file'],
    ['..', 'received-file'],
    ['résumé 📄.pdf', 'résumé 📄.pdf'],
  ])('%j becomes %j', (name, expected) => {
    expect(safeFileName(name)).toBe(expected);
  });
});
