/**
 * The monitor's stylesheet, served at /assets/monitor.css from the package
 * itself (no CDN, no build step). Below 760 px each table row becomes a card
 * whose cells carry their column name (data-label).
 */
export const MONITOR_CSS = `
:root { --bg: #f6f7f9; --fg: #1d2330; --muted: #5b6475; --line: #d9dde5; --card: #fff;
  --ok: #1f7a3e; --busy: #1f5fa8; --pending: #8a5a00; --bad: #c0171b; --bad-bg: #fde8e8; }
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; background: var(--bg); color: var(--fg); }
header.top { display: flex; justify-content: space-between; align-items: center; padding: .6rem 1rem; background: #1d2330; }
header.top a { color: #fff; text-decoration: none; font-weight: 600; }
header.top .lang-switch { font-weight: 400; border: 1px solid #fff6; border-radius: 4px; padding: .1rem .5rem; }
main { padding: 1rem; max-width: 1200px; margin: 0 auto; }
footer { color: var(--muted); font-size: .85rem; text-align: center; padding: 1rem; }
h1 { font-size: 1.35rem; margin: .2rem 0 .6rem; }
h2 { font-size: 1.1rem; margin: 1.4rem 0 .5rem; }
.summary { display: flex; flex-wrap: wrap; gap: .4rem 1.2rem; color: var(--muted); margin: 0 0 .3rem; }
.importer-pass { color: var(--muted); margin: 0 0 1rem; }
.alert-count { color: var(--bad); font-weight: 700; }
table { width: 100%; border-collapse: collapse; background: var(--card); border: 1px solid var(--line); }
th, td { text-align: left; padding: .5rem .6rem; border-bottom: 1px solid var(--line); vertical-align: top; }
th { font-size: .8rem; text-transform: uppercase; letter-spacing: .03em; color: var(--muted); background: #eef0f4; }
td a { color: inherit; font-weight: 600; }
.id { color: var(--muted); font-variant-numeric: tabular-nums; }
tr.overdue { background: var(--bad-bg); box-shadow: inset 5px 0 0 var(--bad); }
.alert-mark { display: inline-block; margin-left: .35rem; padding: 0 .45rem; border-radius: 999px; background: var(--bad); color: #fff; font-size: .8rem; font-weight: 700; white-space: nowrap; }
.badge { display: inline-block; padding: .05rem .5rem; border-radius: 4px; font-size: .85rem; font-weight: 600; border: 1px solid currentColor; white-space: nowrap; }
.state-idle { color: var(--ok); }
.state-uploading, .state-importing { color: var(--busy); }
.state-pending { color: var(--pending); }
.state-stale, .state-failed { color: var(--bad); background: var(--bad-bg); }
.outcome-ok { color: var(--ok); } .outcome-warning, .outcome-partial { color: var(--pending); } .outcome-failed { color: var(--bad); }
.never, .none { color: var(--muted); }
details.error summary { cursor: pointer; color: var(--bad); font-weight: 600; }
details.error pre, .db-error pre { white-space: pre-wrap; word-break: break-word; font-size: .85rem; background: #fff4f4; border: 1px solid #f1c0c0; padding: .5rem; margin: .3rem 0 0; max-width: 60ch; }
.error-at { margin: .2rem 0 0; color: var(--muted); font-size: .8rem; }
.db-error, .not-found { background: var(--bad-bg); border: 2px solid var(--bad); border-radius: 6px; padding: 1rem 1.2rem; }
.db-error h1 { color: var(--bad); }
.db-error pre { max-width: none; }
.efector-title { display: flex; flex-wrap: wrap; align-items: center; gap: .5rem; }
.efector-title.overdue { color: var(--bad); }
.read-at { color: var(--muted); margin: 0 0 .8rem; }
dl.facts { display: grid; grid-template-columns: repeat(auto-fill, minmax(200px, 1fr)); gap: .5rem; margin: 0 0 1rem; }
dl.facts div { background: var(--card); border: 1px solid var(--line); border-radius: 6px; padding: .45rem .6rem; }
dl.facts .wide { grid-column: 1 / -1; }
dt { font-size: .8rem; color: var(--muted); text-transform: uppercase; }
dd { margin: .1rem 0 0; }
figure.run-chart { margin: 0; background: var(--card); border: 1px solid var(--line); border-radius: 6px; padding: .6rem; }
figcaption { font-weight: 600; margin-bottom: .3rem; }
svg.chart { width: 100%; height: auto; display: block; }
svg.chart .grid line { stroke: var(--line); stroke-width: 1; }
svg.chart .grid line.axis { stroke: var(--muted); }
svg.chart text { font-size: 11px; fill: var(--muted); }
svg.chart .bar-import { fill: #4a7fc1; }
svg.chart .bar-upload { fill: #9bb8dd; }
svg.chart .bar.failed { fill: var(--bad); }
svg.chart .duration-line { fill: none; stroke: #d07a00; stroke-width: 1.5; }
svg.chart .dot { fill: #d07a00; }
.legend { font-size: .85rem; color: var(--muted); margin: .3rem 0 0; }
.key { display: inline-block; width: .8rem; height: .8rem; margin: 0 .25rem 0 .8rem; vertical-align: -1px; border-radius: 2px; }
.key-import { background: #4a7fc1; } .key-upload { background: #9bb8dd; } .key-duration { background: #d07a00; height: .25rem; vertical-align: 3px; }
.bad { color: var(--bad); }
@media (max-width: 760px) {
  main { padding: .6rem; }
  table, thead, tbody, tr, th, td { display: block; }
  thead { position: absolute; left: -9999px; }
  table { border: 0; background: none; }
  tr { background: var(--card); border: 1px solid var(--line); border-radius: 6px; margin-bottom: .6rem; padding: .3rem .2rem; }
  td { border: 0; padding: .25rem .6rem; display: grid; grid-template-columns: 9.5rem 1fr; gap: .5rem; }
  td::before { content: attr(data-label); font-size: .75rem; text-transform: uppercase; color: var(--muted); padding-top: .15rem; }
  td .badge, td .alert-mark { justify-self: start; }
  details.error pre { max-width: none; }
}
`
