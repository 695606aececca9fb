/**
 * The web UI's one stylesheet, served at /assets/app.css. Kept in a module (not a .css file)
 * so that Node and the Worker bundle serve it alike, with no file system and no build step.
 * Colours meet WCAG AA contrast on their backgrounds; marks never rely on colour alone
 * (struck-through, underlined or labelled too); focus is always visible.
 */
export const stylesheet = `
:root {
  --text: #1b1b1f; --muted: #4a4a55; --bg: #ffffff; --panel: #f5f5f7; --line: #c9c9d1;
  --link: #0b4fb3; --focus: #0b4fb3; --mark: #ffe27a; --mark-line: #8a6100;
  --bad: #8f1c14; --bad-bg: #fde7e5; --good: #0b5a23; --good-bg: #dcf3e2; --info: #17408b; --info-bg: #e3ebfb;
  color-scheme: light;
}
* { box-sizing: border-box; }
html { font-size: 100%; }
body { margin: 0; font: 1rem/1.55 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--text); background: var(--bg); }
a { color: var(--link); }
a:hover { text-decoration-thickness: 2px; }
:focus-visible { outline: 3px solid var(--focus); outline-offset: 2px; }
.skip { position: absolute; left: -999px; top: 0; background: var(--bg); padding: .5rem 1rem; z-index: 10; }
.skip:focus { left: .5rem; }
.visually-hidden { position: absolute !important; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }

header.site { display: flex; flex-wrap: wrap; align-items: baseline; gap: .5rem 1.5rem; padding: .75rem 1rem; border-bottom: 1px solid var(--line); }
header.site .brand { font-weight: 700; font-size: 1.15rem; color: var(--text); text-decoration: none; }
header.site ul { display: flex; gap: 1rem; margin: 0; padding: 0; list-style: none; }
header.site a[aria-current="page"] { font-weight: 700; }
main { max-width: 78rem; margin: 0 auto; padding: 1rem; }
main:focus { outline: none; }
footer.site { max-width: 78rem; margin: 2rem auto 1rem; padding: 0 1rem; color: var(--muted); font-size: .9rem; }
h1 { font-size: 1.6rem; line-height: 1.25; margin: .5rem 0 1rem; overflow-wrap: anywhere; }
h2 { font-size: 1.25rem; margin: 1.5rem 0 .5rem; }
h3 { font-size: 1.05rem; margin: 1rem 0 .25rem; }
p, li { overflow-wrap: anywhere; }

form.stack { display: grid; gap: 1rem; max-width: 48rem; }
fieldset { border: 1px solid var(--line); border-radius: 6px; padding: .75rem 1rem 1rem; margin: 0; display: grid; gap: .75rem; min-width: 0; }
legend { font-weight: 600; padding: 0 .25rem; }
.field { display: grid; gap: .25rem; }
label { font-weight: 600; }
.hint { color: var(--muted); font-size: .9rem; margin: 0; }
input, select, textarea, button { font: inherit; color: inherit; }
input[type="text"], input[type="password"], input[type="search"], select, textarea {
  width: 100%; padding: .5rem .6rem; border: 1px solid #6b6b78; border-radius: 4px; background: #fff;
}
input[readonly] { background: var(--panel); }
textarea { min-height: 12rem; resize: vertical; }
button, .button { display: inline-block; padding: .55rem 1.1rem; border: 2px solid var(--link); border-radius: 4px; background: var(--link); color: #fff; font-weight: 600; cursor: pointer; text-decoration: none; }
button.secondary { background: #fff; color: var(--link); }
.row { display: flex; flex-wrap: wrap; gap: .75rem; align-items: end; }
.row > .field { flex: 1 1 12rem; }

.alert { border: 2px solid var(--bad); background: var(--bad-bg); color: var(--bad); padding: .75rem 1rem; border-radius: 6px; }
.alert p { margin: .25rem 0; }
.notice { border: 1px solid var(--line); background: var(--panel); padding: .75rem 1rem; border-radius: 6px; }

dl.meta { display: grid; grid-template-columns: max-content 1fr; gap: .15rem 1rem; margin: 0 0 1rem; font-size: .92rem; }
dl.meta dt { color: var(--muted); }
dl.meta dd { margin: 0; overflow-wrap: anywhere; }
code { font-size: .9em; overflow-wrap: anywhere; }

.progress { border: 1px solid var(--line); border-radius: 6px; padding: 1rem; margin: 1rem 0; background: var(--panel); }
.progress progress { width: 100%; height: 1.1rem; }
.progress .stage { font-weight: 600; margin: 0 0 .5rem; }

.brief-grid { display: grid; gap: 1.5rem; }
.source { white-space: pre-wrap; background: var(--panel); border: 1px solid var(--line); border-radius: 6px; padding: 1rem; font-size: .95rem; }
.q:target, .q.hl { background: var(--mark); outline: 2px solid var(--mark-line); box-shadow: 0 0 0 2px var(--mark); }
.q:focus { outline: 3px solid var(--focus); }
.summary { font-size: 1.05rem; }
ol.points, ul.notes { padding-left: 1.25rem; }
ol.points > li, ul.notes > li { margin-bottom: .9rem; }
ul.cites { list-style: none; padding: 0; margin: .25rem 0 0; display: grid; gap: .25rem; }
.cite { font-size: .92rem; }
a.cite { display: inline-block; }
.page { color: var(--muted); font-size: .85rem; }
.unverified { display: inline; border: 2px dashed var(--bad); background: var(--bad-bg); color: var(--bad); padding: 0 .3rem; border-radius: 4px; }
.unverified strong { text-transform: uppercase; font-size: .75rem; letter-spacing: .03em; margin-right: .3rem; }
.note-kind { font-size: .8rem; text-transform: uppercase; letter-spacing: .04em; color: var(--muted); }
.note p { margin: .2rem 0; }

table { border-collapse: collapse; width: 100%; font-size: .93rem; }
th, td { text-align: left; padding: .45rem .5rem; border-bottom: 1px solid var(--line); vertical-align: top; }
th { background: var(--panel); }
.table-wrap { overflow-x: auto; }
.status { font-weight: 600; }
.status-failed { color: var(--bad); }
.status-succeeded { color: var(--good); }
.status-running { color: var(--info); }

.diff { background: var(--panel); border: 1px solid var(--line); border-radius: 6px; padding: 1rem; }
.diff p { margin: 0; }
.diff .side-label { font-size: .9rem; margin: 0 0 .4rem; color: var(--muted); }
ins { background: var(--good-bg); color: var(--good); text-decoration: underline; text-decoration-thickness: 2px; }
del { background: var(--bad-bg); color: var(--bad); text-decoration: line-through; }
.legend { font-size: .9rem; color: var(--muted); }
.pair { display: grid; gap: .5rem; border-bottom: 1px solid var(--line); padding: .6rem 0; }
.pair .side { margin: 0; }
.mark { display: inline-block; min-width: 5.5rem; font-size: .8rem; font-weight: 700; text-transform: uppercase; letter-spacing: .04em; padding: .05rem .4rem; border-radius: 3px; border: 1px solid currentColor; }
.mark-kept { color: #3d3d45; background: #ececf0; }
.mark-changed { color: var(--info); background: var(--info-bg); }
.mark-added { color: var(--good); background: var(--good-bg); }
.mark-dropped { color: var(--bad); background: var(--bad-bg); }
.sides { display: grid; gap: 1rem; }

.related { border-top: 1px solid var(--line); margin-top: 1.5rem; }
ul.related-list { padding-left: 1.25rem; }
ul.related-list > li { margin-bottom: .75rem; }
ul.related-list p { margin: .15rem 0; }
.score { color: var(--muted); font-size: .85rem; font-variant-numeric: tabular-nums; }

.badge { display: inline-block; min-width: 5.5rem; text-align: center; font-size: .8rem; font-weight: 700; text-transform: uppercase; letter-spacing: .04em; padding: .05rem .4rem; border-radius: 3px; border: 1px solid currentColor; }
.badge-claim { color: var(--text); background: var(--bg); border-width: 2px; }
.badge-agrees { color: var(--good); background: var(--good-bg); }
.badge-disputes { color: var(--bad); background: var(--bad-bg); border-width: 2px; }
.badge-differs { color: #6b4b00; background: #fff1c2; border-style: dashed; }
.badge-silent { color: #3d3d45; background: #ececf0; border-style: dotted; }
dl.psp-legend { display: grid; gap: .3rem; margin: 0 0 1rem; font-size: .9rem; }
dl.psp-legend > div { display: flex; gap: .6rem; align-items: baseline; }
dl.psp-legend dt, dl.psp-legend dd { margin: 0; }
.psp-grid { display: grid; gap: .75rem; }
.psp-heads h2 { margin: 0 0 .2rem; }
.psp-head { border-bottom: 2px solid var(--line); padding-bottom: .4rem; }
ol.psp-claims { list-style: none; padding: 0; margin: 0; }
.psp-row { border-bottom: 1px solid var(--line); padding: .75rem 0; }
.psp-cell { min-width: 0; }
.psp-cell > p { margin: 0 0 .3rem; }
.psp-claim { background: var(--panel); border: 1px solid var(--line); border-radius: 6px; padding: .5rem .75rem; }
.psp-response { padding: .5rem .75rem; border-left: 4px solid var(--line); }
.psp-response[data-mark="agrees"] { border-left-color: var(--good); }
.psp-response[data-mark="disputes"] { border-left-color: var(--bad); }
.psp-response[data-mark="differs"] { border-left-color: #8a6100; border-left-style: dashed; }
.psp-response[data-mark="silent"] { border-left-style: dotted; }
.psp-doc { font-size: .8rem; color: var(--muted); font-weight: 600; }
blockquote.psp-quote { margin: .2rem 0 .4rem; }
blockquote.psp-quote.unverified { display: block; padding: .25rem .5rem; }
.psp-unverified { font-size: .85rem; }
.psp-note { color: var(--muted); font-size: .92rem; }
.psp-meta { margin-top: 1.5rem; }

@media (min-width: 56rem) {
  .psp-grid.cols-2 { grid-template-columns: repeat(2, minmax(0, 1fr)); }
  .psp-grid.cols-3 { grid-template-columns: repeat(3, minmax(0, 1fr)); }
  .psp-grid.cols-4 { grid-template-columns: repeat(4, minmax(0, 1fr)); }
  .psp-grid.cols-5 { grid-template-columns: repeat(5, minmax(0, 1fr)); }
  /* Side by side, the column heads name each cell's document: the label stays for screen readers. */
  .psp-row .psp-doc { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
  .brief-grid { grid-template-columns: minmax(0, 1fr) minmax(0, 1fr); }
  .brief-grid .source { position: sticky; top: 1rem; max-height: calc(100vh - 2rem); overflow: auto; }
  .sides, .pair.both { grid-template-columns: minmax(0, 1fr) minmax(0, 1fr); }
  .pair .head { grid-column: 1 / -1; }
}
`;
