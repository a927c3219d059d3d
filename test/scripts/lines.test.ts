import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { node20Manifest } from '../../scripts/lines.js';
import { REPO } from '../../scripts/support/hosts.js';

type Manifest = Parameters<typeof node20Manifest>[0];

const main: Manifest = {
  name: '@eca-tools/plugin-external-client-app',
  version: '1.2.3',
  files: ['/lib'],
  oclif: { commands: './lib/commands' },
  engines: { node: '>=22.19.0' },
  dependencies: { '@salesforce/core': '^9.4.0', '@jsforce/jsforce-node': '^3.12.0', 'csv-parse': '5.6.0', undici: '^8.11.0' },
  devDependencies: { '@types/node': '^22', oclif: '^6.0.10', mocha: '^10.8.2' },
  scripts: { build: 'tsc -p .', test: 'npm run test:main && npm run test:node20', 'test:main': 'x', lines: 'node scripts/lines.ts' },
};

/** The scripts a script starts with `npm run [-s] NAME`. */
const scriptsRun = (command: string): string[] => [...command.matchAll(/npm run (?:-s )?([\w:-]+)/g)].map((match) => match[1]);

describe('scripts/lines.ts: the Node 20 manifest made from the root one', () => {
  it('pins what the table pins, keeps every other field and dependency, and drops the scripts the table drops', () => {
    const made = node20Manifest(main);
    expect(made.version).to.equal('1.2.3-node20');
    expect(made.engines).to.deep.equal({ node: '>=20.17.0' });
    // undici 7 and later need a newer Node than the line's 20.17.
    expect(made.dependencies).to.include({ '@salesforce/core': '8.31.3', '@jsforce/jsforce-node': '3.10.16', 'csv-parse': '5.6.0', undici: '6.29.1' });
    expect(made.devDependencies).to.include({ '@types/node': '^20', oclif: '4.23.30', mocha: '^10.8.2' });
    expect(made.overrides).to.deep.equal({ 'ts-json-schema-generator': '2.4.0' });
    expect(made.scripts).to.include({ build: 'tsc -p .', test: 'npm run test:line' });
    expect(made.scripts).to.not.have.any.keys('test:main', 'lines');
    expect(made).to.deep.include({ name: main.name, files: main.files, oclif: main.oclif });
    expect(Object.keys(made)).to.have.members([...Object.keys(main), 'overrides']);
    expect(main.version, 'the root manifest is left as it was').to.equal('1.2.3');
  });

  // Also run in the Node 20 line's staged copy (npm run lines -- run), where package.json is that line's manifest
  // already: only what holds from either manifest is checked.
  it("from the repository's manifest: the Node 20 line runs the whole end-to-end suite, and every script it runs exists", () => {
    const root = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as Manifest;
    const made = node20Manifest(root);
    expect(scriptsRun(made.scripts['test:line'])).to.include('test:nuts').and.not.include('test:nuts:bin-only');
    const missing = Object.values(made.scripts)
      .flatMap(scriptsRun)
      .filter((name) => !(name in made.scripts));
    expect(missing).to.deep.equal([]);
  });
});
