import { expect } from 'chai';
import { csvColumns, csvField, parseCsv, toCsv } from '../../src/shared/csv.js';

describe('csv: fields', () => {
  it('leaves plain values unquoted', () => {
    expect(csvField('abc')).to.equal('abc');
    expect(csvField(42)).to.equal('42');
    expect(csvField(false)).to.equal('false');
    expect(csvField('')).to.equal('');
  });

  it('quotes a comma, a quote, a CR and a LF, doubling quotes', () => {
    expect(csvField('a,b')).to.equal('"a,b"');
    expect(csvField('say "hi"')).to.equal('"say ""hi"""');
    expect(csvField('a\rb')).to.equal('"a\rb"');
    expect(csvField('a\nb')).to.equal('"a\nb"');
    expect(csvField('"')).to.equal('""""');
  });

  it('writes null and undefined as empty fields', () => {
    expect(csvField(null)).to.equal('');
    expect(csvField(undefined)).to.equal('');
  });

  it('writes objects and arrays as JSON, quoted when needed', () => {
    expect(csvField({ a: 1 })).to.equal('"{""a"":1}"');
    expect(csvField(['x'])).to.equal('"[""x""]"');
    expect(csvField([])).to.equal('[]');
  });
});

describe('csv: columns and documents', () => {
  it('uses the union of keys in first-seen order', () => {
    expect(csvColumns([{ b: 1, a: 2 }, { c: 3, a: 4 }, { d: 5 }])).to.deep.equal(['b', 'a', 'c', 'd']);
  });

  it('puts preferred columns first, and only those some row has', () => {
    const rows = [{ z: 1, tokenId: 't', username: 'u' }, { extra: true }];
    expect(csvColumns(rows, ['username', 'tokenId', 'missing'])).to.deep.equal(['username', 'tokenId', 'z', 'extra']);
  });

  it('keeps the preferred columns as the header of an empty result', () => {
    expect(csvColumns([], ['tokenId', 'username'])).to.deep.equal(['tokenId', 'username']);
    expect(toCsv([], ['tokenId', 'username'])).to.equal('tokenId,username\r\n');
  });

  it('writes CRLF line ends, one line per row plus the header, and empty fields for missing keys', () => {
    const text = toCsv([{ a: 1, b: 'x' }, { b: 'y', c: null }]);
    expect(text).to.equal('a,b,c\r\n1,x,\r\n,y,\r\n');
  });

  it('writes the given columns in the given order', () => {
    expect(toCsv([{ a: 1, b: 2, c: 3 }], ['c', 'a'])).to.equal('c,a\r\n3,1\r\n');
  });
});

describe('csv: parseCsv', () => {
  it('round-trips toCsv output with commas, quotes, CR, LF and JSON fields', () => {
    const rows = [
      { tokenId: 'T1', username: 'a@x.com', note: 'line 1\nline 2', quote: 'he said "no", twice' },
      { tokenId: 'T2', username: 'b@x.com', note: 'cr\r\nlf', quote: '' },
      { tokenId: 'T3', username: 'c@x.com', note: '{"json":true}', quote: ',' },
    ];
    expect(parseCsv(toCsv(rows))).to.deep.equal(rows);
  });

  it('reads objects back as their JSON text', () => {
    const [row] = parseCsv(toCsv([{ id: 'x', actions: ['enable', 'disable'] }]));
    expect(JSON.parse(row.actions)).to.deep.equal(['enable', 'disable']);
  });

  it('ignores a UTF-8 BOM before the header', () => {
    expect(parseCsv(`\uFEFF${toCsv([{ tokenId: 'T1' }])}`)).to.deep.equal([{ tokenId: 'T1' }]);
  });

  it('reads LF-only files, a last line without a line end, and skips blank lines', () => {
    expect(parseCsv('tokenId,username\nT1,a\n\nT2,b')).to.deep.equal([
      { tokenId: 'T1', username: 'a' },
      { tokenId: 'T2', username: 'b' },
    ]);
  });

  it('ends rows at CRLF, LF or CR, mixed in one file', () => {
    expect(parseCsv('tokenId\r\nT1\nT2\rT3\r\n')).to.deep.equal([{ tokenId: 'T1' }, { tokenId: 'T2' }, { tokenId: 'T3' }]);
  });

  it('fills missing trailing fields with empty strings', () => {
    expect(parseCsv('a,b,c\r\n1\r\n')).to.deep.equal([{ a: '1', b: '', c: '' }]);
  });

  it('drops fields beyond the header and keeps a quote inside an unquoted field as text', () => {
    expect(parseCsv('a,b\r\n1,2,3\r\nx"y,z\r\n')).to.deep.equal([
      { a: '1', b: '2' },
      { a: 'x"y', b: 'z' },
    ]);
  });

  it('throws on an unclosed quote rather than reading the rest of the file as one field', () => {
    expect(() => parseCsv('tokenId,note\r\nT1,"open\r\nT2,b\r\n')).to.throw(/quote/i);
  });

  it('returns no rows for an empty text or a header alone', () => {
    expect(parseCsv('')).to.deep.equal([]);
    expect(parseCsv('tokenId\r\n')).to.deep.equal([]);
  });
});
