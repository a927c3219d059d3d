/*
 * The token-age chart of the HTML report: inline SVG with a text equivalent, nothing loaded from anywhere.
 */
import { AGE_BUCKETS, BUCKET_LABELS, type AgeBucket, type ReportApp } from '../usage/report.js';
import { count, escapeHtml } from './htmlText.js';

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

/**
 * The token-age chart of one app: an inline SVG bar per age bucket, the stale line, and the same figures as a table for
 * screen readers. `id` is the figure's id, that the apps table links to.
 */
export function ageChart(app: ReportApp, id: string, staleDays: number): string {
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
  return `<figure class="chart" id="${id}" data-app="${escapeHtml(app.identifier)}">
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
