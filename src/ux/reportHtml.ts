/*
 * The HTML rendering of a usage report: one self-contained file a security lead can open, print or forward. It loads
 * nothing (the Content-Security-Policy forbids every fetch and every script), and every value from the org or a file
 * goes through escapeHtml. Figures come from report.ts only; data-* attributes name each figure so tests can find it.
 */
import {
  AGE_BUCKETS,
  BUCKET_LABELS,
  formatDate,
  formatShare,
  formatTimestamp,
  type AgeBucket,
  type ReportApp,
  type UsageReport,
} from '../usage/report.js';
import { REPORT_STYLE } from './reportStyle.js';

/** Nothing from elsewhere, no script at all: inline styles only, and data: for the empty favicon. */
export const REPORT_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'";

export type HtmlOptions = {
  /** Where the figures came from, e.g. "the org" or "the file tokens.json"; shown in the header. */
  source: string;
};

export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}

const count = (value: number): string => value.toLocaleString('en-US');

export function renderReportHtml(report: UsageReport, options: HtmlOptions): string {
  const { totals } = report;
  const title = `OAuth usage of external client apps – ${report.orgId} – ${formatDate(report.generatedAt)}`;
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
<div><dt>Org ID</dt><dd data-meta="orgId">${escapeHtml(report.orgId)}</dd></div>
<div><dt>Instance</dt><dd data-meta="instanceUrl">${escapeHtml(report.instanceUrl)}</dd></div>
<div><dt>Generated</dt><dd><time data-meta="generatedAt" datetime="${escapeHtml(report.generatedAt)}">${escapeHtml(formatTimestamp(report.generatedAt))}</time></dd></div>
<div><dt>Source</dt><dd>${escapeHtml(options.source)}</dd></div>
<div><dt>Stale means</dt><dd>never used, or not used for <span data-meta="staleDays">${report.staleDays}</span> days or more</dd></div>
</dl>
</header>

<section aria-labelledby="summary-title">
<h2 id="summary-title">Summary</h2>
<p class="finding">${finding(report)}</p>
<div class="cards">
${card('Apps', count(totals.apps), 'apps')}
${card('Users', count(totals.users), 'users')}
${card('Refresh tokens', count(totals.tokens), 'tokens')}
${card('Never used', count(totals.neverUsedTokens), 'neverUsedTokens')}
${card('Stale', count(totals.staleTokens), 'staleTokens', totals.staleTokens > 0)}
${card('Stale share', formatShare(totals.staleShare), 'staleShare', totals.staleTokens > 0)}
</div>
</section>

<section aria-labelledby="apps-title">
<h2 id="apps-title">Apps</h2>
${report.apps.length === 0 ? '<p class="empty">No external client app holds OAuth tokens.</p>' : appsTable(report.apps)}
</section>

${report.apps.length === 0 ? '' : charts(report)}

<section aria-labelledby="users-title">
<h2 id="users-title">Stale users with the most tokens</h2>
${usersTable(report)}
</section>

<footer>
<p>Age of a token: whole days since it was last used, at the time of the report (UTC). Stale: never used, or not used
for ${report.staleDays} days or more, the same rule as <code>sf external-client-app usage tokens list --unused-days ${report.staleDays}</code>,
which lists those tokens for review and revocation.</p>
<p>Made with <code>sf external-client-app usage report</code>. This file is self-contained: it loads nothing and runs no script.</p>
</footer>
</main>
</body>
</html>
`;
}

function finding(report: UsageReport): string {
  const { totals } = report;
  if (totals.tokens === 0) return 'No refresh token was found.';
  const worst = report.apps[0];
  const stale = `<strong>${formatShare(totals.staleShare)}</strong> of refresh tokens (${count(totals.staleTokens)} of ${count(totals.tokens)}) are stale`;
  const never = totals.neverUsedTokens > 0 ? `; ${count(totals.neverUsedTokens)} were never used` : '';
  const top =
    worst.staleTokens > 0
      ? ` <strong>${escapeHtml(worst.developerName)}</strong> holds the most stale tokens (${count(worst.staleTokens)}).`
      : '';
  return `${stale}${never}.${top}`;
}

function card(label: string, value: string, field: string, alert = false): string {
  return `<div class="card${alert ? ' alert' : ''}"><div class="label">${label}</div><div class="value" data-total="${field}">${value}</div></div>`;
}

function appsTable(apps: readonly ReportApp[]): string {
  const rows = apps
    .map((app, index) => {
      const id = escapeHtml(app.identifier);
      const description = app.description ? `<div class="desc">${escapeHtml(app.description)}</div>` : '';
      return `<tr data-app="${id}">
<th scope="row" data-label="App"><a href="#chart-${index}" data-field="developerName">${escapeHtml(app.developerName)}</a><div class="id">${id}</div>${description}</th>
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

const SHORT_LABELS: Readonly<Record<AgeBucket, string>> = {
  'd0_7': '0–7',
  'd8_30': '8–30',
  'd31_90': '31–90',
  'd91_180': '91–180',
  'd181_365': '181–365',
  over365: '>365',
  never: 'never',
};

/** The lowest age each bucket holds, to draw the stale line before the first bucket that is stale throughout. */
const BUCKET_MIN_DAYS: Readonly<Record<Exclude<AgeBucket, 'never'>, number>> = {
  'd0_7': 0,
  'd8_30': 8,
  'd31_90': 31,
  'd91_180': 91,
  'd181_365': 181,
  over365: 366,
};

function charts(report: UsageReport): string {
  const figures = report.apps.map((app, index) => chart(app, index, report.staleDays)).join('\n');
  return `<section aria-labelledby="age-title">
<h2 id="age-title">Token age by app</h2>
<p class="note">Refresh tokens by days since last use. Bars right of the dashed line are stale; so are tokens never used.</p>
<div class="charts">
${figures}
</div>
</section>`;
}

function chart(app: ReportApp, index: number, staleDays: number): string {
  const width = 336;
  const height = 178;
  // The stale label sits above the tallest bar's count, so the two never overlap.
  const top = 36;
  const base = 142;
  const slot = width / AGE_BUCKETS.length;
  const barWidth = 30;
  const max = Math.max(1, ...AGE_BUCKETS.map((bucket) => app.ageBuckets[bucket]));
  const bars = AGE_BUCKETS.map((bucket, position) => {
    const value = app.ageBuckets[bucket];
    const barHeight = value === 0 ? 0 : Math.max(2, Math.round(((base - top) * value) / max));
    const x = Math.round(position * slot + (slot - barWidth) / 2);
    const centre = Math.round(position * slot + slot / 2);
    return `<rect x="${x}" y="${base - barHeight}" width="${barWidth}" height="${barHeight}" class="bar ${bucket}"/>
<text x="${centre}" y="${base - barHeight - 6}" class="count">${count(value)}</text>
<text x="${centre}" y="${base + 16}" class="tick">${SHORT_LABELS[bucket]}</text>`;
  }).join('\n');
  const firstStale = AGE_BUCKETS.findIndex((bucket) => bucket !== 'never' && BUCKET_MIN_DAYS[bucket] >= staleDays);
  const lineAt = Math.round((firstStale === -1 ? AGE_BUCKETS.length - 1 : firstStale) * slot);
  // Near the right edge the label goes left of the line, so it stays inside the chart.
  const staleLabel =
    lineAt > width - 90
      ? `<text x="${lineAt - 4}" y="12" class="stale-label end">stale ≥ ${staleDays} d</text>`
      : `<text x="${lineAt + 4}" y="12" class="stale-label">stale ≥ ${staleDays} d</text>`;
  const name = escapeHtml(app.developerName);
  const label = `Token age for ${name}: ${AGE_BUCKETS.map((bucket) => `${BUCKET_LABELS[bucket]} ${app.ageBuckets[bucket]}`).join(', ')}.`;
  const cells = AGE_BUCKETS.map((bucket) => `<tr><th scope="row">${BUCKET_LABELS[bucket]}</th><td data-bucket="${bucket}">${app.ageBuckets[bucket]}</td></tr>`).join('');
  return `<figure class="chart" id="chart-${index}" data-app="${escapeHtml(app.identifier)}">
<figcaption><span class="chart-name">${name}</span><span class="chart-sub">${count(app.tokens)} tokens · ${count(app.staleTokens)} stale</span></figcaption>
<svg viewBox="0 0 ${width} ${height}" role="img" aria-label="${label}" focusable="false">
<line x1="0" y1="${base}" x2="${width}" y2="${base}" class="axis"/>
<line x1="${lineAt}" y1="4" x2="${lineAt}" y2="${base}" class="stale-line"/>
${staleLabel}
${bars}
<text x="${width / 2}" y="${height - 2}" class="axis-title">days since last use</text>
</svg>
<table class="visually-hidden"><caption>Token age for ${name}</caption><tbody>${cells}</tbody></table>
</figure>`;
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
