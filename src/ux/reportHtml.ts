/*
 * The HTML rendering of a usage report: one self-contained file a security lead can open, print or forward. It loads
 * nothing (the Content-Security-Policy forbids every fetch and every script), and every value from the org or a file
 * goes through escapeHtml. Figures come from report.ts only; data-* attributes name each figure so tests can find it.
 */
import { formatDate, formatShare, formatTimestamp, type ReportApp, type ReportTotals, type UsageReport } from '../usage/report.js';
import type { FleetReport } from '../usage/reportFiles.js';
import { REPORT_STYLE } from './reportStyle.js';
import { ageChart } from './reportChart.js';
import { count, escapeHtml } from './htmlText.js';

export { escapeHtml } from './htmlText.js';

/** Nothing from elsewhere, no script at all: inline styles only, and data: for the empty favicon. */
export const REPORT_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'";

export type HtmlOptions = {
  /** Where the figures came from, e.g. "the org" or "the file tokens.json"; shown in the header. */
  source: string;
};

export type FleetHtmlOptions = HtmlOptions & {
  /** Where each org's figures came from, in the order of the fleet's orgs. */
  orgSources: readonly string[];
};

/**
 * How one org's part of a page names its ids and headings: alone on its page, ids as they always were and h2 headings;
 * as one org of a fleet, ids with the org's prefix (they must stay unique in the page) and h3 headings under its h2.
 */
type Part = { id: (name: string) => string; heading: 'h2' | 'h3' };
const ALONE: Part = { id: (name) => name, heading: 'h2' };

export function renderReportHtml(report: UsageReport, options: HtmlOptions): string {
  const title = `OAuth usage of external client apps – ${report.orgId} – ${formatDate(report.generatedAt)}`;
  const meta = `<div><dt>Org ID</dt><dd data-meta="orgId">${escapeHtml(report.orgId)}</dd></div>
<div><dt>Instance</dt><dd data-meta="instanceUrl">${escapeHtml(report.instanceUrl)}</dd></div>
${generatedAndSource(report.generatedAt, options.source, report.staleDays)}`;
  return page(title, meta, orgParts(report, ALONE), report.staleDays);
}

/** A report of several orgs: the fleet's totals and a line per org, then each org's part as its own report has it. */
export function renderFleetHtml(fleet: FleetReport, options: FleetHtmlOptions): string {
  const { staleDays } = fleet.orgs[0];
  const title = `OAuth usage of external client apps – ${fleet.orgs.length} orgs – ${formatDate(fleet.generatedAt)}`;
  const meta = `<div><dt>Orgs</dt><dd data-meta="orgs">${fleet.orgs.length}</dd></div>
${generatedAndSource(fleet.generatedAt, options.source, staleDays)}`;
  const worst = [...fleet.orgs].sort((a, b) => b.totals.staleTokens - a.totals.staleTokens)[0];
  const fleetPart = `<section aria-labelledby="fleet-title" data-fleet>
<h2 id="fleet-title">Fleet summary</h2>
<p class="finding">${totalsFinding(fleet.totals, `across ${fleet.orgs.length} orgs`)}${worst.totals.staleTokens > 0 ? ` Org <strong>${escapeHtml(worst.orgId)}</strong> holds the most stale tokens (${count(worst.totals.staleTokens)}).` : ''}</p>
${cards(fleet.totals)}
${orgsTable(fleet.orgs)}
</section>`;
  const orgs = fleet.orgs.map((report, index) => {
    const prefix = `org-${index + 1}`;
    return `<section class="org" id="${prefix}" aria-labelledby="${prefix}-title" data-org="${escapeHtml(report.orgId)}">
<h2 id="${prefix}-title">Org ${escapeHtml(report.orgId)}</h2>
<dl class="meta">
<div><dt>Org ID</dt><dd data-meta="orgId">${escapeHtml(report.orgId)}</dd></div>
<div><dt>Instance</dt><dd data-meta="instanceUrl">${escapeHtml(report.instanceUrl)}</dd></div>
<div><dt>Source</dt><dd>${escapeHtml(options.orgSources[index] ?? options.source)}</dd></div>
</dl>
${orgParts(report, { id: (name) => `${prefix}-${name}`, heading: 'h3' })}
</section>`;
  });
  return page(title, meta, [fleetPart, ...orgs].join('\n\n'), staleDays);
}

function page(title: string, meta: string, body: string, staleDays: number): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${REPORT_CSP}">
<meta name="referrer" content="no-referrer">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="data:,">
<title>${escapeHtml(title)}</title>
<style>${REPORT_STYLE}</style>
</head>
<body>
<main>
<header>
<p class="kicker">Security review · OAuth access</p>
<h1>OAuth usage of external client apps</h1>
<dl class="meta">
${meta}
</dl>
</header>

${body}

<footer>
<p>Age of a token: whole days since it was last used, at the time of the report (UTC). Stale: never used, or not used
for ${staleDays} days or more, the same rule as <code>sf external-client-app usage tokens list --unused-days ${staleDays}</code>,
which lists those tokens for review and revocation.</p>
<p>Made with <code>sf external-client-app usage report</code>. This file is self-contained: it loads nothing and runs no script.</p>
</footer>
</main>
</body>
</html>
`;
}

function generatedAndSource(generatedAt: string, source: string, staleDays: number): string {
  return `<div><dt>Generated</dt><dd><time data-meta="generatedAt" datetime="${escapeHtml(generatedAt)}">${escapeHtml(formatTimestamp(generatedAt))}</time></dd></div>
<div><dt>Source</dt><dd>${escapeHtml(source)}</dd></div>
<div><dt>Stale means</dt><dd>never used, or not used for <span data-meta="staleDays">${staleDays}</span> days or more</dd></div>`;
}

/** One org's summary, apps, charts and stale users. */
function orgParts(report: UsageReport, part: Part): string {
  const h = part.heading;
  return `<section aria-labelledby="${part.id('summary-title')}">
<${h} id="${part.id('summary-title')}">Summary</${h}>
<p class="finding">${finding(report)}</p>
${cards(report.totals)}
</section>

<section aria-labelledby="${part.id('apps-title')}">
<${h} id="${part.id('apps-title')}">Apps</${h}>
${report.apps.length === 0 ? '<p class="empty">No external client app holds OAuth tokens.</p>' : appsTable(report.apps, part)}
</section>

${report.apps.length === 0 ? '' : charts(report, part)}

<section aria-labelledby="${part.id('users-title')}">
<${h} id="${part.id('users-title')}">Stale users with the most tokens</${h}>
${usersTable(report)}
</section>`;
}

function cards(totals: ReportTotals): string {
  return `<div class="cards">
${card('Apps', count(totals.apps), 'apps')}
${card('Users', count(totals.users), 'users')}
${card('Refresh tokens', count(totals.tokens), 'tokens')}
${card('Never used', count(totals.neverUsedTokens), 'neverUsedTokens')}
${card('Stale', count(totals.staleTokens), 'staleTokens', totals.staleTokens > 0)}
${card('Stale share', formatShare(totals.staleShare), 'staleShare', totals.staleTokens > 0)}
</div>`;
}

function finding(report: UsageReport): string {
  if (report.totals.tokens === 0) return 'No refresh token was found.';
  const worst = report.apps[0];
  const top =
    worst.staleTokens > 0
      ? ` <strong>${escapeHtml(worst.developerName)}</strong> holds the most stale tokens (${count(worst.staleTokens)}).`
      : '';
  return `${totalsFinding(report.totals)}${top}`;
}

/** "<strong>25.0%</strong> of refresh tokens (5 of 20) are stale; 2 were never used." */
function totalsFinding(totals: ReportTotals, where = ''): string {
  if (totals.tokens === 0) return 'No refresh token was found.';
  const stale = `<strong>${formatShare(totals.staleShare)}</strong> of refresh tokens (${count(totals.staleTokens)} of ${count(totals.tokens)})${where ? ` ${where}` : ''} are stale`;
  const never = totals.neverUsedTokens > 0 ? `; ${count(totals.neverUsedTokens)} were never used` : '';
  return `${stale}${never}.`;
}

function card(label: string, value: string, field: string, alert = false): string {
  return `<div class="card${alert ? ' alert' : ''}"><div class="label">${label}</div><div class="value" data-total="${field}">${value}</div></div>`;
}

function appsTable(apps: readonly ReportApp[], part: Part): string {
  const rows = apps
    .map((app, index) => {
      const id = escapeHtml(app.identifier);
      const description = app.description ? `<div class="desc">${escapeHtml(app.description)}</div>` : '';
      return `<tr data-app="${id}">
<th scope="row" data-label="App"><a href="#${part.id(`chart-${index}`)}" data-field="developerName">${escapeHtml(app.developerName)}</a><div class="id">${id}</div>${description}</th>
<td class="num" data-label="Users" data-field="users">${count(app.users)}</td>
<td class="num" data-label="Tokens" data-field="tokens">${count(app.tokens)}</td>
<td class="num" data-label="Never used" data-field="neverUsedTokens">${count(app.neverUsedTokens)}</td>
<td class="num${app.staleTokens > 0 ? ' alert' : ''}" data-label="Stale" data-field="staleTokens">${count(app.staleTokens)}</td>
<td class="num" data-label="Stale share"><span class="share">${meter(app.staleShare)}<span data-field="staleShare">${formatShare(app.staleShare)}</span></span></td>
<td class="num" data-label="Oldest last use" data-field="oldestLastUsedAt">${app.oldestLastUsedAt ? `<time datetime="${escapeHtml(app.oldestLastUsedAt)}">${escapeHtml(formatDate(app.oldestLastUsedAt))}</time>` : '<span class="muted">never</span>'}</td>
</tr>`;
    })
    .join('\n');
  return `<div class="table-wrap"><table class="apps stack">
<thead><tr><th scope="col">App</th><th scope="col" class="num">Users</th><th scope="col" class="num">Tokens</th><th scope="col" class="num">Never used</th><th scope="col" class="num">Stale</th><th scope="col" class="num">Stale share</th><th scope="col" class="num">Oldest last use</th></tr></thead>
<tbody>
${rows}
</tbody>
</table></div>`;
}

/** A small bar for a share; the text beside it carries the figure. */
function meter(value: number): string {
  const width = Math.round(Math.min(1, Math.max(0, value)) * 60);
  return `<svg class="meter" width="60" height="8" viewBox="0 0 60 8" aria-hidden="true" focusable="false"><rect width="60" height="8" rx="2" class="meter-track"/><rect width="${width}" height="8" rx="2" class="meter-fill"/></svg>`;
}

function usersTable(report: UsageReport): string {
  if (report.topStaleUsers.length === 0) return '<p class="empty">No user holds a stale token.</p>';
  const rows = report.topStaleUsers
    .map(
      (user) => `<tr data-user="${escapeHtml(user.userIdentifier)}">
<th scope="row" data-label="User"><span data-field="username">${escapeHtml(user.username)}</span><div class="id">${escapeHtml(user.userIdentifier)}</div></th>
<td class="num alert" data-label="Stale tokens" data-field="staleTokens">${count(user.staleTokens)}</td>
<td data-label="Apps" data-field="apps">${user.apps.map(escapeHtml).join(', ')}</td>
</tr>`
    )
    .join('\n');
  return `<div class="table-wrap"><table class="users stack">
<thead><tr><th scope="col">User</th><th scope="col" class="num">Stale tokens</th><th scope="col">Apps</th></tr></thead>
<tbody>
${rows}
</tbody>
</table></div>`;
}

function charts(report: UsageReport, part: Part): string {
  const figures = report.apps.map((app, index) => ageChart(app, part.id(`chart-${index}`), report.staleDays)).join('\n');
  return `<section aria-labelledby="${part.id('age-title')}">
<${part.heading} id="${part.id('age-title')}">Token age by app</${part.heading}>
<p class="note">Refresh tokens by days since last use. Bars right of the dashed line are stale; so are tokens never used.</p>
<div class="charts">
${figures}
</div>
</section>`;
}

/** The fleet's orgs, one line each, linked to their sections. */
function orgsTable(orgs: readonly UsageReport[]): string {
  const rows = orgs
    .map((report, index) => {
      const { totals } = report;
      return `<tr data-org="${escapeHtml(report.orgId)}">
<th scope="row" data-label="Org"><a href="#org-${index + 1}" data-field="orgId">${escapeHtml(report.orgId)}</a><div class="id">${escapeHtml(report.instanceUrl)}</div></th>
<td class="num" data-label="Apps" data-field="apps">${count(totals.apps)}</td>
<td class="num" data-label="Users" data-field="users">${count(totals.users)}</td>
<td class="num" data-label="Tokens" data-field="tokens">${count(totals.tokens)}</td>
<td class="num" data-label="Never used" data-field="neverUsedTokens">${count(totals.neverUsedTokens)}</td>
<td class="num${totals.staleTokens > 0 ? ' alert' : ''}" data-label="Stale" data-field="staleTokens">${count(totals.staleTokens)}</td>
<td class="num" data-label="Stale share"><span class="share">${meter(totals.staleShare)}<span data-field="staleShare">${formatShare(totals.staleShare)}</span></span></td>
</tr>`;
    })
    .join('\n');
  return `<div class="table-wrap"><table class="orgs stack">
<thead><tr><th scope="col">Org</th><th scope="col" class="num">Apps</th><th scope="col" class="num">Users</th><th scope="col" class="num">Tokens</th><th scope="col" class="num">Never used</th><th scope="col" class="num">Stale</th><th scope="col" class="num">Stale share</th></tr></thead>
<tbody>
${rows}
</tbody>
</table></div>`;
}
