import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { checkedOutputPath, writeTextFile } from '../../src/shared/outputFile.js';
import { expectRejection } from './fakeTransport.js';

describe('outputFile', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'eca-output-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('gives the absolute path of a file in an existing folder', async () => {
    expect(await checkedOutputPath(join(dir, 'r.html'))).to.equal(join(dir, 'r.html'));
  });

  it('refuses a missing folder, and a folder given as the file', async () => {
    const missing = await expectRejection(checkedOutputPath(join(dir, 'nope', 'r.html')), 'NoOutputFolderError');
    expect(missing.message).to.include(join(dir, 'nope'));
    mkdirSync(join(dir, 'sub'));
    await expectRejection(checkedOutputPath(join(dir, 'sub')), 'OutputIsFolderError');
  });

  it('replaces an existing file whole and leaves no temporary file', async () => {
    const file = join(dir, 'r.html');
    writeFileSync(file, 'old');
    await writeTextFile(file, 'new');
    expect(readFileSync(file, 'utf8')).to.equal('new');
    expect(readdirSync(dir)).to.deep.equal(['r.html']);
  });

  it('says why a file cannot be written, and cleans up', async () => {
    writeFileSync(join(dir, 'plain'), '');
    const error = await expectRejection(writeTextFile(join(dir, 'plain', 'r.html'), 'x'), 'CannotWriteError');
    expect(error.message).to.include(join(dir, 'plain', 'r.html'));
    expect(readdirSync(dir)).to.deep.equal(['plain']);
  });
});
