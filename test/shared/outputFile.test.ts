import { chmodSync, constants, lstatSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { expect } from 'chai';
import { toCsv } from '../../src/common/csv.js';
import { checkedOutputPath, jsonArrayText, openRowFile, rowFileFormat, writeTextFile, writeTextPieces, type OpenFile } from '../../src/ux/outputFile.js';
import { expectRejection } from './fakeTransport.js';
import { tempDirEachTest } from './tempDir.js';

const COLUMNS = ['tokenId', 'username', 'lastUsedAt', 'useCount'];
/** Rows with what CSV and JSON must both get right: a formula-like cell, a comma and quotes, a line break, a null. */
const rows = (count: number, from = 0): Array<Record<string, unknown>> =>
  Array.from({ length: count }, (_, index) => ({
    tokenId: `T${from + index}`,
    username: from + index === 1 ? '=HYPERLINK("x")' : `user, "${from + index}"\nsecond line`,
    lastUsedAt: index % 2 === 0 ? null : '2026-01-01T00:00:00.000Z',
    useCount: index,
    availableActions: [{ name: 'revoke' }],
  }));

/** Opens files whose writes fail with ENOSPC once `limit` bytes are written, as on a full disk. */
const fullAfter =
  (limit: number): OpenFile =>
  async (path, flags, mode) => {
    const handle = await open(path, flags, mode);
    const write = handle.write.bind(handle) as (...args: unknown[]) => Promise<unknown>;
    let bytes = 0;
    return Object.assign(handle, {
      write: async (data: string | Buffer, ...rest: unknown[]): Promise<unknown> => {
        bytes += Buffer.byteLength(data);
        if (bytes > limit) throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
        return write(data, ...rest);
      },
    }) as FileHandle;
  };

/**
 * Opens files whose writes take at most `perWrite` bytes each, and none once `total` bytes are in the file: short
 * writes, as a nearly full disk or a quota gives them, without error.
 */
const shortWrites =
  (perWrite: number, total = Infinity): OpenFile =>
  async (path, flags, mode) => {
    const handle = await open(path, flags, mode);
    const write = handle.write.bind(handle) as (bytes: Buffer, offset: number, length: number) => Promise<{ bytesWritten: number }>;
    let inFile = 0;
    return Object.assign(handle, {
      // FileHandle.write(string) or FileHandle.write(buffer, offset, length).
      write: async (data: string | Buffer, offset?: number, length?: number): Promise<{ bytesWritten: number; buffer: unknown }> => {
        const bytes = typeof data === 'string' ? Buffer.from(data) : data;
        const from = typeof data === 'string' ? 0 : offset ?? 0;
        const wanted = typeof data === 'string' ? bytes.length : length ?? bytes.length - from;
        const taken = Math.min(wanted, perWrite, total - inFile);
        const { bytesWritten } = taken > 0 ? await write(bytes, from, taken) : { bytesWritten: 0 };
        inFile += bytesWritten;
        return { bytesWritten, buffer: data };
      },
    }) as unknown as FileHandle;
  };

const modeOf = (path: string): number => lstatSync(path).mode & 0o777;

describe('outputFile', () => {
  const dir = tempDirEachTest('eca-output-');

  it('gives the absolute path of a file in an existing folder', async () => {
    expect(await checkedOutputPath(join(dir(), 'r.html'))).to.equal(join(dir(), 'r.html'));
  });

  it('refuses a missing folder, and a folder given as the file', async () => {
    const missing = await expectRejection(checkedOutputPath(join(dir(), 'nope', 'r.html')), 'NoOutputFolderError');
    expect(missing.message).to.include(join(dir(), 'nope'));
    mkdirSync(join(dir(), 'sub'));
    await expectRejection(checkedOutputPath(join(dir(), 'sub')), 'OutputIsFolderError');
  });

  it('replaces an existing file whole and leaves no temporary file', async () => {
    const file = join(dir(), 'r.html');
    writeFileSync(file, 'old');
    await writeTextFile(file, 'new');
    expect(readFileSync(file, 'utf8')).to.equal('new');
    expect(readdirSync(dir())).to.deep.equal(['r.html']);
  });

  it('writes a new file readable by its owner alone, and keeps the mode of a file it replaces', async () => {
    const file = join(dir(), 'r.html');
    await writeTextFile(file, 'new');
    expect(modeOf(file)).to.equal(0o600);
    for (const mode of [0o600, 0o640]) {
      chmodSync(file, mode);
      // eslint-disable-next-line no-await-in-loop
      await writeTextFile(file, `mode ${mode}`);
      expect(modeOf(file)).to.equal(mode);
      expect(readFileSync(file, 'utf8')).to.equal(`mode ${mode}`);
    }
  });

  it('replaces a symlink at the target with a file, leaving the file it pointed to as it was', async () => {
    const victim = join(dir(), 'victim.txt');
    writeFileSync(victim, 'precious', { mode: 0o644 });
    const file = join(dir(), 'r.html');
    symlinkSync(victim, file);
    await writeTextFile(file, 'report');
    expect(readFileSync(victim, 'utf8')).to.equal('precious');
    expect(modeOf(victim)).to.equal(0o644);
    expect(lstatSync(file).isFile()).to.equal(true);
    expect(modeOf(file)).to.equal(0o600);
    expect(readFileSync(file, 'utf8')).to.equal('report');
  });

  it('creates its temporary file under a name nobody can guess, exclusively, never through a symlink', async () => {
    const file = join(dir(), 'r.html');
    // Planted where a temporary name made of the process id would be.
    const victim = join(dir(), 'victim.txt');
    writeFileSync(victim, 'precious');
    symlinkSync(victim, `${file}.${process.pid}.tmp`);
    const opened: Array<{ path: string; flags: number; mode: number }> = [];
    const recording: OpenFile = (path, flags, mode) => {
      opened.push({ path, flags, mode });
      return open(path, flags, mode);
    };
    const out = await openRowFile(file, 'csv', COLUMNS, recording);
    await out.commit();
    await (await openRowFile(file, 'csv', COLUMNS, recording)).abort();
    await writeTextFile(file, 'report');
    expect(readFileSync(victim, 'utf8')).to.equal('precious');
    expect(opened).to.have.length(2);
    const [first, second] = opened;
    expect(first.path).to.match(/^.*\/r\.html\.[0-9a-f]{16}\.tmp$/).and.not.equal(second.path);
    for (const { flags, mode } of opened) {
      expect(flags & constants.O_EXCL, 'O_EXCL').to.equal(constants.O_EXCL);
      expect(flags & constants.O_CREAT, 'O_CREAT').to.equal(constants.O_CREAT);
      expect(flags & constants.O_NOFOLLOW, 'O_NOFOLLOW').to.equal(constants.O_NOFOLLOW);
      expect(mode).to.equal(0o600);
    }
  });

  it('says why a file cannot be written, and cleans up', async () => {
    writeFileSync(join(dir(), 'plain'), '');
    const error = await expectRejection(writeTextFile(join(dir(), 'plain', 'r.html'), 'x'), 'CannotWriteError');
    expect(error.message).to.include(join(dir(), 'plain', 'r.html'));
    expect(readdirSync(dir())).to.deep.equal(['plain']);
  });

  describe('writeTextPieces', () => {
    it('writes the pieces, in order, as one file: the text writeTextFile writes of them joined', async () => {
      const pieces = ['head\n', ...Array.from({ length: 5000 }, (_, i) => `line ${i} ${'x'.repeat(i % 50)}\n`), '', 'end\n'];
      await writeTextPieces(join(dir(), 'pieces.txt'), pieces);
      await writeTextFile(join(dir(), 'whole.txt'), pieces.join(''));
      expect(readFileSync(join(dir(), 'pieces.txt'), 'utf8')).to.equal(pieces.join(''));
      expect(readFileSync(join(dir(), 'whole.txt'), 'utf8')).to.equal(pieces.join(''));
    });

    it('writes the pieces as they are made, a chunk at a time, and nothing of the file shows until the last', async () => {
      const target = join(dir(), 'out.csv');
      writeFileSync(target, 'old');
      const seen: Array<[string, number]> = [];
      function* pieces(): Generator<string> {
        for (let i = 0; i < 3; i++) {
          const temporary = readdirSync(dir()).filter((name) => name.endsWith('.tmp'));
          seen.push([readFileSync(target, 'utf8'), temporary.length === 1 ? lstatSync(join(dir(), temporary[0])).size : -1]);
          yield `${'y'.repeat(40_000)}${i}\n`;
        }
      }
      await writeTextPieces(target, pieces());
      // Two pieces make a chunk (64 KiB): they are on disk before the third is made.
      expect(seen).to.deep.equal([
        ['old', 0],
        ['old', 0],
        ['old', 80_004],
      ]);
      expect(readFileSync(target, 'utf8').split('\n').map((line) => line.slice(-1))).to.deep.equal(['0', '1', '2', '']);
    });

    it('keeps the old file and leaves no temporary file when a piece fails to come', async () => {
      const target = join(dir(), 'out.csv');
      writeFileSync(target, 'old');
      function* failing(): Generator<string> {
        yield 'z'.repeat(100_000); // more than one write's worth: something is on disk when the next piece fails
        throw new Error('no more rows');
      }
      let thrown: unknown;
      await writeTextPieces(target, failing()).catch((error: unknown) => (thrown = error));
      expect(thrown).to.be.instanceOf(Error).with.property('message', 'no more rows');
      expect(readFileSync(target, 'utf8')).to.equal('old');
      expect(readdirSync(dir())).to.deep.equal(['out.csv']);
    });
  });

  describe('openRowFile', () => {
    /** Writes `pages` through a row file and commits it. */
    async function written(file: string, format: 'csv' | 'json', pages: Array<Array<Record<string, unknown>>>): Promise<number> {
      const out = await openRowFile(file, format, COLUMNS);
      for (const page of pages) await out.write(page); // eslint-disable-line no-await-in-loop
      await out.commit();
      return out.rows;
    }
    const pages = [rows(3), rows(0, 3), rows(2000, 3)];
    const all = pages.flat();

    it('writes, page by page, exactly the CSV of stdout and the JSON array of --json', async () => {
      expect(await written(join(dir(), 'a.csv'), 'csv', pages)).to.equal(all.length);
      expect(readFileSync(join(dir(), 'a.csv'), 'utf8')).to.equal(toCsv(all, COLUMNS));
      expect(await written(join(dir(), 'a.json'), 'json', pages)).to.equal(all.length);
      expect(readFileSync(join(dir(), 'a.json'), 'utf8')).to.equal(`${JSON.stringify(all, null, 2)}\n`);
      expect(readdirSync(dir()).sort()).to.deep.equal(['a.csv', 'a.json']);
    });

    it('writes in a JSON file, page by page, the text -r json prints for the same rows', async () => {
      await written(join(dir(), 'p.json'), 'json', pages);
      expect(readFileSync(join(dir(), 'p.json'), 'utf8')).to.equal(jsonArrayText(all));
      await written(join(dir(), 'none.json'), 'json', [[]]);
      expect(readFileSync(join(dir(), 'none.json'), 'utf8')).to.equal(jsonArrayText([]));
    });

    it('writes the header alone, or an empty array, when there are no rows', async () => {
      await written(join(dir(), 'e.csv'), 'csv', []);
      await written(join(dir(), 'e.json'), 'json', [[]]);
      expect(readFileSync(join(dir(), 'e.csv'), 'utf8')).to.equal(toCsv([], COLUMNS));
      expect(JSON.parse(readFileSync(join(dir(), 'e.json'), 'utf8'))).to.deep.equal([]);
    });

    it('leaves an old file as it was until commit, and as it was after abort, with no temporary file', async () => {
      const file = join(dir(), 'tokens.json');
      writeFileSync(file, 'old');
      const out = await openRowFile(file, 'json', COLUMNS);
      await out.write(rows(3000));
      expect(readFileSync(file, 'utf8')).to.equal('old');
      expect(readdirSync(dir())).to.have.length(2);
      await out.abort();
      expect(readFileSync(file, 'utf8')).to.equal('old');
      expect(readdirSync(dir())).to.deep.equal(['tokens.json']);
      await written(file, 'json', [rows(1)]);
      expect(JSON.parse(readFileSync(file, 'utf8'))).to.deep.equal(rows(1));
    });

    it('fails a write error mid-run (a full disk) clearly, removing the temporary file and keeping the old one', async () => {
      const file = join(dir(), 'tokens.csv');
      writeFileSync(file, 'old');
      const out = await openRowFile(file, 'csv', COLUMNS, fullAfter(100_000));
      const writeAll = async (): Promise<void> => {
        // eslint-disable-next-line no-await-in-loop
        for (let page = 0; page < 100; page++) await out.write(rows(100, page * 100));
      };
      const error = await expectRejection(writeAll(), 'CannotWriteError');
      expect(error.message).to.include(file).and.include('ENOSPC');
      expect(readFileSync(file, 'utf8')).to.equal('old');
      expect(readdirSync(dir())).to.deep.equal(['tokens.csv']);
    });

    it('writes what a short write left over, so the file is whole', async () => {
      const file = join(dir(), 'tokens.csv');
      const many = rows(500);
      const out = await openRowFile(file, 'csv', COLUMNS, shortWrites(1000));
      await out.write(many);
      await out.commit();
      expect(readFileSync(file, 'utf8')).to.equal(toCsv(many, COLUMNS));
    });

    it('fails when the disk takes no more bytes without saying so, keeping the old file and no temporary file', async () => {
      const file = join(dir(), 'tokens.csv');
      writeFileSync(file, 'old');
      const out = await openRowFile(file, 'csv', COLUMNS, shortWrites(4096, 4096));
      const error = await expectRejection(
        (async (): Promise<void> => {
          await out.write(rows(200));
          await out.commit();
        })(),
        'CannotWriteError'
      );
      expect(error.message).to.include(file).and.match(/bytes could not be written/);
      expect(readFileSync(file, 'utf8')).to.equal('old');
      expect(readdirSync(dir())).to.deep.equal(['tokens.csv']);
    });

    it('refuses a missing folder, a folder, or a file it cannot create, before anything is written', async () => {
      await expectRejection(openRowFile(join(dir(), 'nope', 'x.csv'), 'csv', COLUMNS), 'NoOutputFolderError');
      await expectRejection(openRowFile(dir(), 'csv', COLUMNS), 'OutputIsFolderError');
      const refused: OpenFile = () => Promise.reject(Object.assign(new Error('EACCES: permission denied'), { code: 'EACCES' }));
      const error = await expectRejection(openRowFile(join(dir(), 'x.csv'), 'csv', COLUMNS, refused), 'CannotCreateError');
      expect(error.message).to.include('EACCES').and.include('Nothing was sent');
      expect(readdirSync(dir())).to.deep.equal([]);
    });

    it('chooses CSV for -r csv or a .csv name, JSON otherwise', () => {
      expect(rowFileFormat('out.csv', 'human')).to.equal('csv');
      expect(rowFileFormat('OUT.CSV', 'human')).to.equal('csv');
      expect(rowFileFormat('out.txt', 'csv')).to.equal('csv');
      expect(rowFileFormat('out.json', 'human')).to.equal('json');
      expect(rowFileFormat('out', 'human')).to.equal('json');
    });

    it('takes -r json or -r csv as said, whatever the name ends in', () => {
      expect(rowFileFormat('out.json', 'json')).to.equal('json');
      expect(rowFileFormat('out.csv', 'json')).to.equal('json');
      expect(rowFileFormat('out.json', 'csv')).to.equal('csv');
    });
  });
});
