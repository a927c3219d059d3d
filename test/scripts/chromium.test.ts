import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { REPO } from '../../scripts/support/hosts.js';

const SCRIPT = join(REPO, 'scripts', 'chromium.sh');

// `npm test` must pass on a machine without Chromium, as .ci/run does: both get the browser the same way.
describe('scripts/chromium.sh: the browser of the report test, installed when missing', () => {
  let bin: string;
  const log = (): string => join(bin, 'apt-get.log');
  /** Runs the script with apt-get (and id, as root) replaced by stand-ins that only write down how they were called. */
  const runScript = (browser: string): { status: number | null; stderr: string; aptGet: string[] } => {
    const env: NodeJS.ProcessEnv = { ...process.env, PATH: `${bin}:${process.env.PATH ?? ''}` };
    delete env.DEBIAN_FRONTEND;
    const result = spawnSync('sh', [SCRIPT, browser], { cwd: REPO, encoding: 'utf8', env });
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
    if (!manifest.version.endsWith('-node20')) expect(manifest.scripts.test).to.match(/^sh scripts\/chromium\.sh && /);
    expect(readFileSync(join(REPO, '.ci', 'run'), 'utf8')).to.match(/^sh scripts\/chromium\.sh$/m);
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

  it('with the browser there: does nothing and says nothing', () => {
    const { status, stderr, aptGet } = runScript(process.execPath);
    expect(status).to.equal(0);
    expect(stderr).to.equal('');
    expect(aptGet).to.deep.equal([]);
  });
});
