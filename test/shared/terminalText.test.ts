import { expect } from 'chai';
import { terminalText } from '../../src/common/terminalText.js';
import { printable } from '../../src/common/terminalText.js';
import { itMaps } from './tables.js';

const ESC = '\u001b';
const BEL = '\u0007';
/** What a terminal acts on: C0 but the space, DEL, C1, and the bidirectional overrides and isolates. */
// eslint-disable-next-line no-control-regex
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

describe('terminalText: what reaches a terminal from the org or a file', () => {
  itMaps(terminalText, [
    [
      'removes colour codes (CSI) whole, with their parameters',
      [
        [`${ESC}[31mBilling${ESC}[0m_Connector`, 'Billing_Connector'],
        [`a${ESC}[1;38;5;196mb${ESC}[?25lc${ESC}[2J`, 'abc'],
      ],
    ],
    [
      'removes OSC 8 hyperlinks ended by BEL and by ST (ESC \\), keeping the visible text',
      [
        [`${ESC}]8;;https://evil.example.com${BEL}Billing${ESC}]8;;${BEL}`, 'Billing'],
        [`${ESC}]8;;https://evil.example.com${ESC}\\Billing${ESC}]8;;${ESC}\\`, 'Billing'],
        // A window title, and an OSC 52 clipboard write.
        [`x${ESC}]0;pwned${BEL}y${ESC}]52;c;ZWNobyBwd25lZA==${BEL}z`, 'xyz'],
      ],
    ],
    [
      'removes the C1 forms of CSI (U+009B) and OSC (U+009D, ended by ST U+009C), and other C1 controls',
      [
        ['a\u009b31mb', 'ab'],
        ['a\u009d8;;https://evil.example.com\u009cb\u009d8;;\u009c', 'ab'],
        ['a\u0090q\u009cb', 'ab'],
        ['a\u0084b\u009fc', 'a?b'],
      ],
    ],
    [
      'removes an OSC that is never ended, which a terminal would let swallow the rest of the output',
      [
        [`name${ESC}]8;;https://evil.example.com`, 'name'],
        [`a${ESC}]0;title${ESC}[31mb`, 'ab'],
      ],
    ],
    [
      'removes other ESC sequences (reset, charset) and shows a lone ESC or a cut CSI as "?"',
      [
        [`a${ESC}cb${ESC}(Bc`, 'abc'],
        [`a${ESC}`, 'a?'],
        ['a\u009b', 'a?'],
      ],
    ],
    [
      'keeps a value on one line: tabs, CR, LF, NEL (U+0085) and the Unicode line separators become one space',
      [
        ['a\tb', 'a b'],
        ['a\r\nb', 'a b'],
        ['a\rb', 'a b'],
        ['a\u0085b\u2028c\u2029d', 'a b c d'],
      ],
    ],
    [
      'shows every other control, DEL and the bidirectional overrides as "?"',
      [
        [`a${BEL}b\u0000c\u007fd`, 'a?b?c?d'],
        ['user\u202egro.evil@x', 'user?gro.evil@x'],
        ['a\u2066b\u2069', 'a?b?'],
      ],
    ],
  ]);

  it('leaves ordinary text alone, accents, CJK and emoji included', () => {
    for (const value of ['Billing_Connector', 'zoë.ueda@acme.example.com', '請求コネクタ', 'App 🚀 (prod) [x] 100%', '']) {
      expect(terminalText(value)).to.equal(value);
    }
  });

  it('never leaves anything a terminal acts on, however the sequences are nested or cut', () => {
    const parts = [ESC, '[', ']', '8;;', 'x', BEL, '\\', '\u009b', '\u009c', '\u009d', '\u0085', '\n', '31m', 'P', '\u202e'];
    let seed = 7;
    const next = (): number => (seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648);
    for (let run = 0; run < 2000; run += 1) {
      const value = Array.from({ length: 1 + (next() % 12) }, () => parts[next() % parts.length]).join('');
      expect(terminalText(value), JSON.stringify(value)).not.to.match(UNSAFE);
    }
  });

  it('is what printable() uses for the values it echoes in errors, shortened', () => {
    expect(printable(`${ESC}]8;;https://evil.example.com${BEL}tok${ESC}]8;;${BEL}`)).to.equal('tok');
    expect(printable(`${'a'.repeat(100)}\u009b31m`)).to.equal(`${'a'.repeat(77)}...`);
  });
});
