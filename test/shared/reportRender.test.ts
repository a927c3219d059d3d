import { expect } from 'chai';
import { buildReport, type UsageReport } from '../../src/usage/report.js';
import { fleetReport } from '../../src/usage/reportFiles.js';
import { escapeHtml, renderFleetHtml, renderReportHtml, REPORT_CSP } from '../../src/ux/reportHtml.js';
import { renderFleetMarkdown, renderReportMarkdown } from '../../src/ux/reportMarkdown.js';
import { escapeMarkdown } from '../../src/ux/markdownText.js';

const AT = new Date('2026-12-01T12:00:00.000Z');
const HOSTILE_DESCRIPTION = '<script>document.title="pwned"</script><img src=x onerror="document.title=\'pwned\'"> | `code` **bold** & "quotes"';
const HOSTILE_NAME = 'Evil_<b>App</b>|x';
const HOSTILE_USER = "o'brien<script>@acme.example.com";

function hostileReport(): UsageReport {
  return buildReport({
    apps: [{ identifier: '0xIEvil0000000001', developerName: HOSTILE_NAME, description: HOSTILE_DESCRIPTION }],
    tokens: [
      { appIdentifier: '0xIEvil0000000001', appDeveloperName: HOSTILE_NAME, userIdentifier: '005"onmouseover="x', username: HOSTILE_USER, lastUsedAt: null },
      { appIdentifier: '0xIEvil0000000001', appDeveloperName: HOSTILE_NAME, userIdentifier: '005Good', username: 'good@acme.example.com', lastUsedAt: '2026-11-30T00:00:00.000Z' },
    ],
    generatedAt: AT,
    staleDays: 90,
    orgId: '00D<i>org',
    instanceUrl: 'https://acme.my.salesforce.com/"><script>x</script>',
    outputFile: null,
  });
}

describe('report HTML', () => {
  const html = renderReportHtml(hostileReport(), { source: 'the file <x>.json' });

  it('has a Content-Security-Policy that allows nothing from elsewhere and no script', () => {
    expect(html).to.include(`<meta http-equiv="Content-Security-Policy" content="${REPORT_CSP}">`);
    expect(REPORT_CSP).to.match(/^default-src 'none'/);
    expect(REPORT_CSP).not.to.include('script-src');
  });

  it('escapes every value from the org: no tag, attribute or script of theirs survives', () => {
    expect(html).not.to.match(/<script/i);
    expect(html).not.to.match(/<img/i);
    const tags = html.match(/<[a-z][^<>]*>/gi) ?? [];
    expect(tags.filter((tag) => /\son[a-z]+\s*=/i.test(tag))).to.deep.equal([]);
    expect(html).not.to.include('<b>App</b>');
    expect(html).not.to.include('<i>org');
    expect(html).to.include(escapeHtml(HOSTILE_DESCRIPTION));
    expect(html).to.include(escapeHtml(HOSTILE_USER));
    expect(html).to.include('&#60;script&#62;document.title=&#34;pwned&#34;&#60;/script&#62;');
  });

  it('loads nothing: no URL in any src, href (other than in-page anchors and the empty data: icon) or url()', () => {
    const links = [...html.matchAll(/\b(?:src|href)="([^"]*)"/g)].map((match) => match[1]);
    expect(links.filter((link) => !link.startsWith('#') && link !== 'data:,')).to.deep.equal([]);
    expect(html).not.to.match(/url\(/);
    expect(html).not.to.match(/@import/);
  });

  it('marks each figure so that it can be checked', () => {
    const report = hostileReport();
    expect(html).to.include(`data-total="tokens">${report.totals.tokens}<`);
    expect(html).to.include(`data-total="staleTokens">${report.totals.staleTokens}<`);
    expect(html).to.include('data-field="staleShare">50.0%<');
    expect(html).to.include('data-bucket="never">1<');
    expect(html).to.include('data-bucket="d0_7">1<');
  });

  it('draws each app chart as inline SVG with a text equivalent', () => {
    expect(html).to.match(/<svg viewBox="[^"]+" role="img" aria-label="Token age for Evil_&#60;b&#62;App&#60;\/b&#62;\|x: 0–7 days 1,/);
    expect(html).to.include('<table class="visually-hidden"><caption>Token age for');
  });

  it('says so when the org holds no token', () => {
    const empty = renderReportHtml(buildReport({ tokens: [], generatedAt: AT, staleDays: 90, orgId: 'o', instanceUrl: 'i', outputFile: null }), {
      source: 'the org',
    });
    expect(empty).to.include('No external client app holds OAuth tokens.');
    expect(empty).to.include('No user holds a stale token.');
  });

  it('is readable printed and in a narrow window', () => {
    expect(html).to.include('@media print');
    expect(html).to.include('@media (max-width:700px)');
    expect(html).to.include('font-variant-numeric:tabular-nums');
  });
});

describe('report Markdown', () => {
  const markdown = renderReportMarkdown(hostileReport(), { source: 'the org' });

  it('escapes pipes, HTML and Markdown punctuation in values, so a value cannot break a table or inject HTML', () => {
    expect(escapeMarkdown('a|b')).to.equal('a\\|b');
    expect(escapeMarkdown('<script>')).to.equal('&#60;script&#62;');
    expect(escapeMarkdown('`x` *y* _z_ [l](u) ~s~ \\')).to.equal('\\`x\\` \\*y\\* \\_z\\_ \\[l\\](u) \\~s\\~ \\\\');
    expect(escapeMarkdown('two\r\nlines')).to.equal('two lines');
    expect(markdown).not.to.match(/<script|<img|<b>|<i>/i);
    expect(markdown).to.include(escapeMarkdown(HOSTILE_DESCRIPTION));
  });

  it('keeps every table row at the column count of its header', () => {
    const tables = markdown.split('\n\n').filter((block) => block.startsWith('|'));
    expect(tables).to.have.length(3);
    const cells = (line: string): number => line.replace(/\\\|/g, '').split('|').length - 2;
    for (const table of tables) {
      const lines = table.split('\n');
      for (const line of lines) expect(cells(line), line).to.equal(cells(lines[0]));
    }
  });

  it('shows the same figures as the result', () => {
    expect(markdown).to.include('| 1 | 2 | 2 | 1 | 1 | 50.0% |');
    expect(markdown).to.include('### Stale users with the most tokens');
  });
});

describe('report Markdown: no mention, link or control sequence from a value', () => {
  const ESC = '\u001b';
  const ZWSP = '&#8203;';

  it('breaks @mentions and email autolinks with a zero-width space after the @', () => {
    expect(escapeMarkdown('ping @octocat and @acme/security')).to.equal(`ping @${ZWSP}octocat and @${ZWSP}acme/security`);
    expect(escapeMarkdown('alice@acme.example.com')).to.equal(`alice@${ZWSP}acme.example.com`);
  });

  it('breaks bare URLs (any scheme) and www. autolinks, and <…> autolinks stay entities', () => {
    expect(escapeMarkdown('see https://evil.example.com/x')).to.equal(`see https:${ZWSP}//evil.example.com/x`);
    expect(escapeMarkdown('ftp://a http://b')).to.equal(`ftp:${ZWSP}//a http:${ZWSP}//b`);
    expect(escapeMarkdown('www.evil.example.com WWW.Evil.com x\\_www.y')).to.equal(
      `www${ZWSP}.evil.example.com WWW${ZWSP}.Evil.com x\\\\\\_www${ZWSP}.y`
    );
    expect(escapeMarkdown('<https://evil.example.com>')).to.equal(`&#60;https:${ZWSP}//evil.example.com&#62;`);
  });

  it('drops terminal control sequences, so the Markdown printed on a terminal is plain text too', () => {
    expect(escapeMarkdown(`${ESC}]8;;https://evil.example.com\u0007Billing${ESC}]8;;\u0007 ${ESC}[31mred${ESC}[0m`)).to.equal('Billing red');
  });

  it('leaves no live mention or autolink anywhere in a report of hostile values', () => {
    const markdown = renderReportMarkdown(
      buildReport({
        apps: [{ identifier: '0xIEvil0000000002', developerName: '@octocat', description: 'docs at https://evil.example.com and www.evil.example.com, ask @acme/security' }],
        tokens: [
          { appIdentifier: '0xIEvil0000000002', appDeveloperName: '@octocat', userIdentifier: '005Evil', username: '@admin http://evil.example.com', lastUsedAt: null },
        ],
        generatedAt: AT,
        staleDays: 90,
        orgId: '00D@org',
        instanceUrl: 'https://acme.my.salesforce.com',
        outputFile: null,
      }),
      { source: 'the file @x.json' }
    );
    expect(markdown).not.to.match(/@(?!&#8203;)/);
    expect(markdown).not.to.match(/:\/\/|www\./i);
    expect(markdown).to.include(`**@${ZWSP}octocat**<br>docs at https:${ZWSP}//evil.example.com and www${ZWSP}.evil.example.com`);
  });
});

describe('report of several orgs (HTML and Markdown)', () => {
  const plain = buildReport({
    tokens: [
      { appIdentifier: '0xIPlain000000001', appDeveloperName: 'Plain', userIdentifier: '005Plain', username: 'p@acme.example.com', lastUsedAt: '2026-11-30T00:00:00.000Z' },
    ],
    generatedAt: AT,
    staleDays: 90,
    orgId: '00D000000000002EAA',
    instanceUrl: 'https://two.my.salesforce.com',
    outputFile: null,
  });
  const fleet = fleetReport([hostileReport(), plain], AT);
  const options = { source: 'the files a.json, <b>.json', orgSources: ['the file <b>.json', 'the file a.json'] };
  const html = renderFleetHtml(fleet, options);
  const markdown = renderFleetMarkdown(fleet, options);

  it('shows the fleet totals first, then a section per org with its own figures, every id in the page once', () => {
    expect(html).to.include('<section aria-labelledby="fleet-title" data-fleet>');
    const fleetPart = html.slice(html.indexOf('data-fleet>'), html.indexOf('<section class="org"'));
    expect(fleetPart).to.include(`data-total="tokens">${fleet.totals.tokens}<`);
    expect(fleetPart).to.include(`data-total="staleTokens">${fleet.totals.staleTokens}<`);
    expect(fleetPart).to.include('<tr data-org="00D&#60;i&#62;org">');
    expect(fleetPart).to.include('<tr data-org="00D000000000002EAA">');
    expect(html).to.include('<section class="org" id="org-1" aria-labelledby="org-1-title" data-org="00D&#60;i&#62;org">');
    expect(html).to.include('<section class="org" id="org-2" aria-labelledby="org-2-title" data-org="00D000000000002EAA">');
    expect(html.indexOf('id="org-1"')).to.be.lessThan(html.indexOf('id="org-2"'));
    expect(html).to.include('<a href="#org-1-chart-0" data-field="developerName">');
    const ids = [...html.matchAll(/\sid="([^"]+)"/g)].map((match) => match[1]);
    expect(ids.filter((id, index) => ids.indexOf(id) !== index)).to.deep.equal([]);
    const links = [...html.matchAll(/href="#([^"]+)"/g)].map((match) => match[1]);
    expect(links.filter((link) => !ids.includes(link))).to.deep.equal([]);
  });

  it('escapes every value from the files in the fleet parts too', () => {
    expect(html).not.to.match(/<script|<img|<i>org|<b>\.json/i);
    expect(html).to.include(escapeHtml(options.source));
    expect(html).to.include(escapeHtml(options.orgSources[0]));
    expect(html).to.include(`<meta http-equiv="Content-Security-Policy" content="${REPORT_CSP}">`);
    expect(markdown).not.to.match(/<script|<img|<b>|<i>/i);
  });

  it('writes Markdown with the fleet totals, a line per org, then each org under its own heading', () => {
    expect(markdown).to.match(/^## OAuth usage of external client apps\n\n\*\*2 orgs\*\* · /);
    const { totals } = fleet;
    expect(markdown).to.include(`| ${totals.apps} | ${totals.users} | ${totals.tokens} | ${totals.neverUsedTokens} | ${totals.staleTokens} |`);
    expect(markdown).to.include('| **00D000000000002EAA** | https:&#8203;//two.my.salesforce.com | 1 | 1 | 1 | 0 | 0 | 0% |');
    expect(markdown).to.include('### Org 00D&#60;i&#62;org\n');
    expect(markdown).to.include('### Org 00D000000000002EAA\n');
    expect(markdown).to.include('#### Apps');
    expect(markdown).not.to.match(/\n\n\n/);
    const cells = (line: string): number => line.replace(/\\\|/g, '').split('|').length - 2;
    for (const table of markdown.split('\n\n').filter((block) => block.startsWith('|'))) {
      const lines = table.split('\n');
      for (const line of lines) expect(cells(line), line).to.equal(cells(lines[0]));
    }
  });

  it('leaves the report of one org as it is', () => {
    expect(renderReportHtml(plain, { source: 'the org' })).not.to.include('data-fleet');
    expect(renderReportMarkdown(plain, { source: 'the org' })).to.match(/\n### Apps\n/);
  });
});

