import { expect } from 'chai';
import { terminalText } from '../../src/common/terminalText.js';
import { printable } from '../../src/common/terminalText.js';

const ESC = '\u001b';
const BEL = '\u0007';
/** What a terminal acts on: C0 but the space, DEL, C1, and the bidirectional overrides and isolates. */
// eslint-disable-next-line no-control-regex
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

describe('terminalText: what reaches a terminal from the org or a file', () => {
  it('removes colour codes (CSI) whole, with their parameters', () => {
    expect(terminalText(`${ESC}[31mBilling${ESC}[0m_Connector`)).to.equal('Billing_Connector');
    expect(terminalText(`a${ESC}[1;38;5;196mb${ESC}[?25lc${ESC}[2J`)).to.equal('abc');
  });

  it('removes OSC 8 hyperlinks ended by BEL and by ST (ESC \\), keeping the visible text', () => {
    expect(terminalText(`${ESC}]8;;https://evil.example.com${BEL}Billing${ESC}]8;;${BEL}`)).to.equal('Billing');
    expect(terminalText(`${ESC}]8;;https://evil.example.com${ESC}\\Billing${ESC}]8;;${ESC}\\`)).to.equal('Billing');
    // A window title, and an OSC 52 clipboard write.
    expect(terminalText(`x${ESC}]0;pwned${BEL}y${ESC}]52;c;ZWNobyBwd25lZA==${BEL}z`)).to.equal('xyz');
  });

  it('removes the C1 forms of CSI (U+009B) and OSC (U+009D, ended by ST U+009C), and other C1 controls', () => {
    expect(terminalText('a\u009b31mb')).to.equal('ab');
    expect(terminalText('a\u009d8;;https://evil.example.com\u009cb\u009d8;;\u009c')).to.equal('ab');
    expect(terminalText('a\u0090q\u009cb')).to.equal('ab');
    expect(terminalText('a\u0084b\u009fc')).to.equal('a?b');
  });

  it('removes an OSC that is never ended, which a terminal would let swallow the rest of the output', () => {
    expect(terminalText(`name${ESC}]8;;https://evil.example.com`)).to.equal('name');
    expect(terminalText(`a${ESC}]0;title${ESC}[31mb`)).to.equal('ab');
  });

  it('removes other ESC sequences (reset, charset) and shows a lone ESC or a cut CSI as "?"', () => {
    expect(terminalText(`a${ESC}cb${ESC}(Bc`)).to.equal('abc');
    expect(terminalText(`a${ESC}`)).to.equal('a?');
    expect(terminalText('a\u009b')).to.equal('a?');
  });

  it('keeps a value on one line: tabs, CR, LF, NEL (U+0085) and the Unicode line separators become one space', () => {
    expect(terminalText('a\tb')).to.equal('a b');
    expect(terminalText('a\r\nb')).to.equal('a b');
    expect(terminalText('a\rb')).to.equal('a b');
    expect(terminalText('a\u0085b\u2028c\u2029d')).to.equal('a b c d');
  });

  it('shows every other control, DEL and the bidirectional overrides as "?"', () => {
    expect(terminalText(`a${BEL}b\u0000c\u007fd`)).to.equal('a?b?c?d');
    expect(terminalText('user\u202egro.evil@x')).to.equal('user?gro.evil@x');
    expect(terminalText('a\u2066b\u2069')).to.equal('a?b?');
  });

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
