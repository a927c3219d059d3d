import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { packagesUpToDate } from '../../scripts/install.js';

// `npm run demo` and `npm test` start with scripts/install.js: a fresh clone installs once, an installed one not again.
describe('scripts/install.js: whether the packages are those of package-lock.json', () => {
  let repo: string;
  const at = (path: string, seconds: number): void => utimesSync(path, seconds, seconds);
  beforeEach(() => {
    repo = mkdtempSync(join(tmpdir(), 'eca-install-'));
    writeFileSync(join(repo, 'package-lock.json'), '{}');
    at(join(repo, 'package-lock.json'), 1_000_000);
  });
  afterEach(() => rmSync(repo, { recursive: true, force: true }));

  it('says no for a fresh clone (no node_modules)', () => {
    expect(packagesUpToDate(repo)).to.equal(false);
  });

  it('says yes once npm ci wrote node_modules/.package-lock.json after the lock, and no once the lock changes again', () => {
    mkdirSync(join(repo, 'node_modules'));
    writeFileSync(join(repo, 'node_modules', '.package-lock.json'), '{}');
    at(join(repo, 'node_modules', '.package-lock.json'), 1_000_100);
    expect(packagesUpToDate(repo)).to.equal(true);
    at(join(repo, 'package-lock.json'), 1_000_200);
    expect(packagesUpToDate(repo)).to.equal(false);
  });
});
