import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { expect } from 'chai';
import { REPO } from '../../scripts/support/hosts.js';

/** The README's hand-written part: what comes before the reference `npm run readme` generates. */
const COMMANDS_HEADING = '## Commands';
const README_MAX_LINES = 250;

const DOCS = join(REPO, 'docs');
const README = join(REPO, 'README.md');

const handWritten = (file: string): string => {
  const text = readFileSync(file, 'utf8');
  if (file !== README) return text;
  const lines = text.split('\n');
  const end = lines.indexOf(COMMANDS_HEADING);
  expect(end, `${COMMANDS_HEADING} in README.md`).to.be.greaterThan(0);
  return lines.slice(0, end).join('\n');
};

const documents = (): string[] => [README, ...readdirSync(DOCS).filter((name) => name.endsWith('.md')).map((name) => join(DOCS, name))];

/** GitHub's anchor of a heading: lower case, punctuation dropped, spaces to hyphens. */
const anchor = (heading: string): string =>
  heading
    .toLowerCase()
    .replace(/[^\p{L}\p{N} _-]/gu, '')
    .replace(/ /g, '-');

const anchorsOf = (file: string): string[] =>
  readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => /^#{1,6} /.test(line))
    .map((line) => anchor(line.replace(/^#+ /, '')));

/** Relative links of a Markdown text, as [text](target): web links and mail aside. */
const relativeLinks = (text: string): string[] => [...text.matchAll(/\]\(([^)\s]+)\)/g)].map((match) => match[1]).filter((target) => !/^[a-z]+:/i.test(target));

/**
 * Repository paths a text names in code spans: `src/…`, `test/…`, `scripts/…`, `emulator/…` and the like. A path with
 * a glob or an elided part (`*`, `…`, `<name>`) is checked up to the folder that holds it.
 */
const namedPaths = (text: string): string[] =>
  [...text.matchAll(/`[^`]*`/g)]
    .flatMap((span) => span[0].match(/(?<![\w./-])(?:src|test|scripts|emulator|docs|examples|messages|lines|schemas)\/[^\s`'"),;]*/g) ?? [])
    .map((path) => {
      const elided = path.search(/[*…<]/);
      return elided < 0 ? path : path.slice(0, path.lastIndexOf('/', elided) + 1);
    });

// The README is for users; the performance log, the development guide and the release-line reasoning live in docs/,
// and stay true to the repository as it is: a moved file must not leave a path behind that no longer exists.
describe('README and docs/', () => {
  it(`README's hand-written part (before "${COMMANDS_HEADING}") is at most ${README_MAX_LINES} lines`, () => {
    expect(handWritten(README).split('\n').length).to.be.at.most(README_MAX_LINES);
  });

  it('README links each document of docs/, and each link between them resolves, anchors included', () => {
    const readmeLinks = relativeLinks(handWritten(README));
    for (const doc of documents().slice(1)) expect(readmeLinks, relative(REPO, doc)).to.include(`docs/${relative(DOCS, doc)}`);
    for (const file of documents()) {
      for (const link of relativeLinks(handWritten(file))) {
        const [path, fragment] = link.split('#');
        const target = path === '' ? file : join(dirname(file), path);
        expect(existsSync(target), `${relative(REPO, file)} links ${link}`).to.equal(true);
        if (fragment !== undefined && target.endsWith('.md')) expect(anchorsOf(target), `${relative(REPO, file)} links ${link}`).to.include(fragment);
      }
    }
  });

  it('names only paths of the repository that exist', () => {
    for (const file of documents()) {
      const paths = namedPaths(handWritten(file));
      // The Node 20 line runs this suite in a staged copy that is itself that line: it has no lines/ folder of its own.
      const staged = !existsSync(join(REPO, 'lines'));
      const missing = paths.filter((path) => !existsSync(join(REPO, path)) && !(staged && path.startsWith('lines/')));
      expect(missing, relative(REPO, file)).to.deep.equal([]);
    }
  });

  it('would catch a path that moved (the check is really checking)', () => {
    expect(namedPaths('see `src/shared/usageClient.ts`, `test/nuts/*.nut.ts` and `messages/a.<name>.md`')).to.deep.equal([
      'src/shared/usageClient.ts',
      'test/nuts/',
      'messages/',
    ]);
    expect(existsSync(join(REPO, 'src/shared/usageClient.ts'))).to.equal(false);
    expect(anchor('Two release lines, one source')).to.equal('two-release-lines-one-source');
  });
});
