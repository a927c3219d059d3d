import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { REPO } from '../../scripts/support/hosts.js';

const SCRIPT = join(REPO, 'scripts', 'testTools.sh');

// `npm test` must pass on a machine without Chromium, as .ci/run does: both get the browser the same way.
describe('scripts/testTools.sh: the browser of the report test and xmllint, installed when missing', () => {
  let bin: string;
  const log = (): string => join(bin, 'apt-get.log');
  /** Runs the script with apt-get (and id, as root) replaced by stand-ins that only write down how they were called. */
  const runScript = (browser: string, xmllint = process.execPath): { status: number | null; stderr: string; aptGet: string[] } => {
    const env: NodeJS.ProcessEnv = { ...process.env, PATH: `${bin}:${process.env.PATH ?? ''}` };
    delete env.DEBIAN_FRONTEND;
    const result = spawnSync('sh', [SCRIPT, browser, xmllint], { cwd: REPO, encoding: 'utf8', env });
    return { status: result.status, stderr: result.stderr, aptGet: existsSync(log()) ? readFileSync(log(), 'utf8').trim().split('\n') : [] };
  };

  beforeEach(() => {
    bin = mkdtempSync(join(tmpdir(), 'eca-chromium-'));
    writeFileSync(join(bin, 'apt-get'), `#!/bin/sh\necho "DEBIAN_FRONTEND=\${DEBIAN_FRONTEND:-} $*" >> '${log()}'\n`);
    writeFileSync(join(bin, 'id'), '#!/bin/sh\necho 0\n');
    for (const tool of ['apt-get', 'id']) chmodSync(join(bin, tool), 0o755);
  });
  afterEach(() => rmSync(bin, { recursive: true, force: true }));

  it('runs first in npm test and in .ci/run, and checks for the browser the report test launches', () => {
    const manifest = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { version: string; scripts: Record<string, string> };
    // In the Node 20 line's staged copy, its own manifest's `test` is one line's run; the root's runs both, after this.
    if (!manifest.version.endsWith('-node20')) expect(manifest.scripts.test).to.match(/^node scripts\/install\.js && sh scripts\/testTools\.sh && /);
    expect(readFileSync(join(REPO, '.ci', 'run'), 'utf8')).to.match(/^sh scripts\/testTools\.sh$/m);
    const launched = /executablePath: '([^']+)'/.exec(readFileSync(join(REPO, 'test', 'nuts', 'report.nut.ts'), 'utf8'))?.[1];
    expect(readFileSync(SCRIPT, 'utf8')).to.include(`browser=\${1:-${launched}}`);
  });

  it('with the browser missing: says what it installs and why, then installs Debian\'s chromium with apt-get', () => {
    const missing = join(bin, 'no-chromium');
    const { status, stderr, aptGet } = runScript(missing);
    expect(status, stderr).to.equal(0);
    expect(stderr).to.equal(
      `Installing Debian's chromium package (apt-get install chromium): the usage report's browser test (test/nuts/report.nut.ts) opens the report in ${missing}, which this machine lacks. Once only: later runs find it.\n`
    );
    expect(aptGet).to.deep.equal(['DEBIAN_FRONTEND= update -q', 'DEBIAN_FRONTEND=noninteractive install -y -q chromium']);
  });

  it('with xmllint missing too: says so, and installs both packages at once', () => {
    const { status, stderr, aptGet } = runScript(join(bin, 'no-chromium'), join(bin, 'no-xmllint'));
    expect(status, stderr).to.equal(0);
    expect(stderr.split('\n')[1]).to.equal(
      `Installing Debian's libxml2-utils package (apt-get install libxml2-utils): the tests of usage check validate its JUnit files with ${join(bin, 'no-xmllint')}, which this machine lacks. Once only: later runs find it.`
    );
    expect(aptGet).to.deep.equal(['DEBIAN_FRONTEND= update -q', 'DEBIAN_FRONTEND=noninteractive install -y -q chromium libxml2-utils']);
  });

  it('with the browser and xmllint there: does nothing and says nothing', () => {
    const { status, stderr, aptGet } = runScript(process.execPath);
    expect(status).to.equal(0);
    expect(stderr).to.equal('');
    expect(aptGet).to.deep.equal([]);
  });
});
