import { expect } from 'chai';
import { csvField, csvValue, parseCsv, readCsv, toCsv } from '../../src/common/csv.js';
import { expectSfError } from './fakeTransport.js';
import { itMaps } from './tables.js';

describe('csv: fields', () => {
  itMaps(csvField, [
    ['leaves plain values unquoted', [['abc', 'abc'], [42, '42'], [false, 'false'], ['', '']]],
    ['quotes a comma, a quote, a CR and a LF, doubling quotes', [['a,b', '"a,b"'], ['say "hi"', '"say ""hi"""'], ['a\rb', '"a\rb"'], ['a\nb', '"a\nb"'], ['"', '""""']]],
    ['writes null and undefined as empty fields', [[null, ''], [undefined, '']]],
    ['writes objects and arrays as JSON, quoted when needed', [[{ a: 1 }, '"{""a"":1}"'], [['x'], '"[""x""]"'], [[], '[]']]],
  ]);
});

describe('csv: cells a spreadsheet would run as formulas', () => {
  const hostile = ['=HYPERLINK("http://evil.example","x")', '+1+1', '-2+3', '@SUM(A1)', '\tlead', '\rlead', "'=already", "''+twice"];

  itMaps(csvField, [
    [
      "prefixes a cell that starts with =, +, -, @, a tab or a CR (after any quotes) with '",
      [['=1+1', "'=1+1"], ['+1', "'+1"], ['-1', "'-1"], [-1, "'-1"], ['@x', "'@x"], ['\tx', "'\tx"], ['\rx', '"\'\rx"'], ["'=x", "''=x"], ['=SUM(A1,B1)', '"\'=SUM(A1,B1)"']],
    ],
  ]);

  it("leaves other cells alone, a leading ' included", () => {
    for (const value of ["'abc", "o'brien@acme.com", 'a=b', 'x-1', '2026-01-31T08:00:00.000Z', "'", ' =x']) {
      expect(csvField(value)).to.equal(value.includes(',') ? `"${value}"` : value);
    }
  });

  it('reads every value back exactly as it was before the guard', () => {
    for (const value of [...hostile, "'abc", "'", "''", 'plain', '']) {
      expect(parseCsv(toCsv([{ id: 'x', value }], ['id', 'value']))).to.deep.equal([{ id: 'x', value }]);
    }
    expect(csvValue("'=x")).to.equal('=x');
    expect(csvValue("'abc")).to.equal("'abc");
    const rows = hostile.map((value, index) => ({ tokenId: `T${index}`, username: value, note: `${value},"${value}"` }));
    expect(parseCsv(toCsv(rows, ['tokenId', 'username', 'note']))).to.deep.equal(rows);
  });
});

describe('csv: documents', () => {
  it('writes the given columns as the header, the same with no rows as with rows', () => {
    expect(toCsv([], ['tokenId', 'username'])).to.equal('tokenId,username\r\n');
    expect(toCsv([{ username: 'u', tokenId: 't', extra: 1 }], ['tokenId', 'username'])).to.equal('tokenId,username\r\nt,u\r\n');
  });

  it('writes CRLF line ends, one line per row plus the header, and empty fields for missing keys', () => {
    const text = toCsv([{ a: 1, b: 'x' }, { b: 'y', c: null }], ['a', 'b', 'c']);
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
    expect(parseCsv(toCsv(rows, ['tokenId', 'username', 'note', 'quote']))).to.deep.equal(rows);
  });

  it('reads objects back as their JSON text', () => {
    const [row] = parseCsv(toCsv([{ id: 'x', actions: ['enable', 'disable'] }], ['id', 'actions']));
    expect(JSON.parse(row.actions)).to.deep.equal(['enable', 'disable']);
  });

  it('ignores a UTF-8 BOM before the header', () => {
    expect(parseCsv(`\uFEFF${toCsv([{ tokenId: 'T1' }], ['tokenId'])}`)).to.deep.equal([{ tokenId: 'T1' }]);
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

  it('refuses a record with fewer or more fields than the header, naming the line where the record starts', () => {
    const short = expectSfError(() => readCsv('a,b,c\r\n1,2,3\r\n1\r\n'), 'FieldCountError');
    expect(short.message).to.include('Line 3 has a different number of fields (1) than the header on line 1 (3)');
    // Line 2 is blank, the header is on line 3; the bad record starts on line 5, after a value spanning two lines.
    const long = expectSfError(() => readCsv('\r\n\r\ntokenId,app,user\r\nT1,"two\nlines",u\r\noops,not,a,row\r\nT2,a,u\r\n'), 'FieldCountError');
    expect(long.message).to.include('Line 6 has a different number of fields (4) than the header on line 3 (3)');
    expect(long.actions?.[0]).to.include('line 6');
    expectSfError(() => readCsv('a,b\r\n1,2,\r\n'), 'FieldCountError');
  });

  it('keeps a quote inside an unquoted field as text', () => {
    expect(parseCsv('a,b\r\nx"y,z"\r\n')).to.deep.equal([{ a: 'x"y', b: 'z"' }]);
  });

  it('refuses text after a closing quote, naming its line', () => {
    const error = expectSfError(() => readCsv('a,b\r\n1,2\r\n"x\ny"z,2\r\n'), 'TextAfterQuoteError');
    expect(error.message).to.include('On line 4,');
  });

  it('reports an unclosed quote at the line where its field opened, not at the end of the file', () => {
    const error = expectSfError(() => readCsv('tokenId,note\r\nT1,ok\r\nT2,"two\nlines"\r\nT3,"open\r\nT4,b\r\nT5,c\r\n\r\n'), 'QuoteNotClosedError');
    expect(error.message).to.include('on line 5 is never closed');
    expect(() => parseCsv('tokenId,note\r\nT1,"open\r\nT2,b\r\n')).to.throw(/quote/i);
  });

  it('returns no rows for an empty text or a header alone', () => {
    expect(parseCsv('')).to.deep.equal([]);
    expect(parseCsv('tokenId\r\n')).to.deep.equal([]);
  });

  it('numbers each row by the line it starts on, as an editor does: blank lines, quoted line breaks and mixed line ends', () => {
    const text = '\r\ntokenId,note\r\nT1,a\r\n\r\nT2,"two\nlines"\nT3,"three\r\nmore\rlines"\rT4,x\n\n\nT5,last';
    expect(readCsv(text).map((row) => [row.fields.tokenId, row.line])).to.deep.equal([
      ['T1', 3],
      ['T2', 5],
      ['T3', 7],
      ['T4', 10],
      ['T5', 13],
    ]);
  });
});
