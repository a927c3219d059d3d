/** The style sheet of the HTML report, inline (its Content-Security-Policy allows no other): screen and print. */
export const REPORT_STYLE = `
:root{--ink:#17202a;--muted:#5c6773;--line:#d9dee4;--panel:#f5f7f9;--accent:#1f5f99;--alert:#b3261e;
--b0:#2f7d5b;--b1:#62a37a;--b2:#d4a72c;--b3:#e07b24;--b4:#c94a2a;--b5:#98261b;--bn:#7b8591}
*{box-sizing:border-box}
html{-webkit-text-size-adjust:100%}
body{margin:0;background:#fff;color:var(--ink);font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif}
main{max-width:1120px;margin:0 auto;padding:32px 28px 48px}
h1{font-size:1.75rem;line-height:1.2;margin:.1rem 0 1rem;letter-spacing:-.01em}
h2{font-size:1.15rem;margin:2.2rem 0 .75rem;padding-bottom:.35rem;border-bottom:2px solid var(--ink)}
h3{font-size:1rem;margin:1.8rem 0 .6rem;padding-bottom:.3rem;border-bottom:1px solid var(--line)}
.org{margin-top:3rem}
.org>h2{font-size:1.35rem}
.org>.meta{margin-bottom:.5rem}
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
.org{break-before:page;margin-top:0}
.cards{grid-template-columns:repeat(6,minmax(0,1fr));gap:8px}
.card{padding:.5rem .6rem}
.card .value{font-size:1.35rem}
th,td{padding:.4rem .45rem}
.desc{max-width:36ch}
.charts{grid-template-columns:repeat(2,minmax(0,1fr))}
a{color:inherit}
}
`;
