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
} from './report.js';

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
<style>${STYLE}</style>
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

const STYLE = `
:root{--ink:#17202a;--muted:#5c6773;--line:#d9dee4;--panel:#f5f7f9;--accent:#1f5f99;--alert:#b3261e;
--b0:#2f7d5b;--b1:#62a37a;--b2:#d4a72c;--b3:#e07b24;--b4:#c94a2a;--b5:#98261b;--bn:#7b8591}
*{box-sizing:border-box}
html{-webkit-text-size-adjust:100%}
body{margin:0;background:#fff;color:var(--ink);font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif}
main{max-width:1120px;margin:0 auto;padding:32px 28px 48px}
h1{font-size:1.75rem;line-height:1.2;margin:.1rem 0 1rem;letter-spacing:-.01em}
h2{font-size:1.15rem;margin:2.2rem 0 .75rem;padding-bottom:.35rem;border-bottom:2px solid var(--ink)}
.kicker{margin:0;color:var(--muted);font-size:.78rem;font-weight:600;letter-spacing:.08em;text-transform:uppercase}
.meta{display:grid;grid-template-columns:repeat(auto-fit,minmax(200px,1fr));gap:.5rem 1.5rem;margin:0;padding:.9rem 1rem;background:var(--panel);border-radius:8px}
.meta div{min-width:0}
.meta dt{color:var(--muted);font-size:.75rem;font-weight:600;letter-spacing:.04em;text-transform:uppercase}
.meta dd{margin:0;overflow-wrap:anywhere}
.finding{font-size:1.05rem;margin:0 0 1rem;max-width:70ch}
.cards{display:grid;grid-template-columns:repeat(auto-fit,minmax(140px,1fr));gap:12px}
.card{border:1px solid var(--line);border-radius:8px;padding:.7rem .9rem;break-inside:avoid}
.card .label{color:var(--muted);font-size:.78rem;font-weight:600;letter-spacing:.03em;text-transform:uppercase}
.card .value{font-size:1.8rem;font-weight:650;line-height:1.25;font-variant-numeric:tabular-nums;text-align:right}
.card.alert{border-color:#efc2bf;background:#fdf4f3}
.card.alert .value,.alert{color:var(--alert)}
.table-wrap{overflow-x:auto}
table{width:100%;border-collapse:collapse;font-variant-numeric:tabular-nums}
th,td{padding:.55rem .7rem;border-bottom:1px solid var(--line);text-align:left;vertical-align:top}
thead th{font-size:.75rem;font-weight:600;letter-spacing:.04em;text-transform:uppercase;color:var(--muted);border-bottom:1.5px solid var(--ink);vertical-align:bottom}
tbody th{font-weight:600}
.num{text-align:right;white-space:nowrap}
td.alert{font-weight:650}
.id{font:.78rem/1.4 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;color:var(--muted);font-weight:400}
.desc{color:var(--muted);font-size:.85rem;font-weight:400;max-width:46ch;overflow-wrap:anywhere}
.muted{color:var(--muted)}
a{color:var(--accent);text-decoration:none}
a:hover{text-decoration:underline}
.share{display:inline-flex;align-items:center;gap:.5rem}
.meter{flex:none}
.meter-track{fill:#e9ecef}
.meter-fill{fill:var(--alert)}
.note{color:var(--muted);margin:0 0 1rem}
.charts{display:grid;grid-template-columns:repeat(auto-fill,minmax(300px,1fr));gap:16px}
.chart{margin:0;border:1px solid var(--line);border-radius:8px;padding:.75rem .9rem .5rem;break-inside:avoid}
.chart figcaption{display:flex;flex-wrap:wrap;justify-content:space-between;gap:0 .75rem;align-items:baseline;margin-bottom:.25rem}
.chart-name{font-weight:650;min-width:0;overflow-wrap:break-word}
.chart-sub{color:var(--muted);font-size:.82rem;white-space:nowrap;font-variant-numeric:tabular-nums}
.chart svg{display:block;width:100%;height:auto}
.chart text{font-family:inherit;fill:var(--ink);text-anchor:middle}
.chart .count{font-size:12px;font-weight:600;font-variant-numeric:tabular-nums}
.chart .tick{font-size:11px;fill:var(--muted)}
.chart .axis-title{font-size:10px;fill:var(--muted)}
.chart .axis{stroke:var(--ink);stroke-width:1}
.chart .stale-line{stroke:var(--alert);stroke-width:1;stroke-dasharray:3 3}
.chart .stale-label{font-size:10px;fill:var(--alert);text-anchor:start}
.chart .stale-label.end{text-anchor:end}
.bar.d0_7{fill:var(--b0)}.bar.d8_30{fill:var(--b1)}.bar.d31_90{fill:var(--b2)}.bar.d91_180{fill:var(--b3)}
.bar.d181_365{fill:var(--b4)}.bar.over365{fill:var(--b5)}.bar.never{fill:var(--bn)}
.empty{color:var(--muted);font-style:italic}
footer{margin-top:2.5rem;padding-top:1rem;border-top:1px solid var(--line);color:var(--muted);font-size:.85rem}
footer p{max-width:80ch}
code{font:.85em ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;background:var(--panel);padding:.05em .3em;border-radius:3px}
.visually-hidden{position:absolute!important;width:1px;height:1px;margin:-1px;padding:0;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap;border:0}
@media (max-width:700px){
main{padding:20px 14px 32px}
h1{font-size:1.4rem}
.cards{grid-template-columns:repeat(2,minmax(0,1fr))}
.card .value{font-size:1.45rem}
table.stack thead{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0)}
table.stack,table.stack tbody,table.stack tr,table.stack th,table.stack td{display:block;width:100%}
table.stack tr{border:1px solid var(--line);border-radius:8px;padding:.35rem .75rem;margin-bottom:.75rem}
table.stack th,table.stack td{border:0;padding:.3rem 0}
table.stack tbody th{border-bottom:1px solid var(--line);padding-bottom:.5rem;margin-bottom:.2rem}
table.stack td{display:flex;justify-content:space-between;gap:1rem;text-align:right;white-space:normal}
table.stack td::before{content:attr(data-label);color:var(--muted);font-size:.8rem;font-weight:600;text-align:left}
.desc{max-width:none}
.charts{grid-template-columns:1fr}
}
@media print{
@page{margin:14mm}
body{font-size:10.5pt;-webkit-print-color-adjust:exact;print-color-adjust:exact}
main{max-width:none;padding:0}
h2{break-after:avoid}
section{break-inside:auto}
.table-wrap{overflow:visible}
thead{display:table-header-group}
tr,.card,.chart{break-inside:avoid}
.cards{grid-template-columns:repeat(6,minmax(0,1fr));gap:8px}
.card{padding:.5rem .6rem}
.card .value{font-size:1.35rem}
th,td{padding:.4rem .45rem}
.desc{max-width:36ch}
.charts{grid-template-columns:repeat(2,minmax(0,1fr))}
a{color:inherit}
}
`;
