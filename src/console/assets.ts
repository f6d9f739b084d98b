/**
 * The console's stylesheet and its one small script, served from routes (no
 * build step, no CDN; the Content-Security-Policy allows nothing else). Pages
 * work without the script: it only asks for confirmation on dangerous buttons
 * and shows a progress indicator while a form is being submitted.
 */
export const CONSOLE_CSS = `
:root { --fg:#1d232b; --muted:#5b6572; --line:#d6dbe1; --bg:#f6f7f9; --card:#fff; --accent:#0b5cad; --bad:#b3261e; --warn:#8a5a00; --good:#1e7d32; --focus:#ffbf47; }
* { box-sizing: border-box; }
body { margin:0; font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color:var(--fg); background:var(--bg); }
a { color: var(--accent); }
a:focus-visible, button:focus-visible, input:focus-visible, select:focus-visible, summary:focus-visible, textarea:focus-visible { outline: 3px solid var(--focus); outline-offset: 2px; }
.skip { position:absolute; left:-9999px; } .skip:focus { left: 8px; top: 8px; background:#fff; padding:6px 10px; z-index: 10; }
header.top { display:flex; gap:16px; align-items:center; padding:10px 20px; background:#12263f; color:#fff; }
header.top a { color:#fff; } header.top .brand { font-weight:700; margin-right: 12px; text-decoration:none; }
header.top nav { display:flex; gap: 6px 14px; flex:1; flex-wrap: wrap; } header.top nav a[aria-current=page] { text-decoration: underline; text-underline-offset: 4px; font-weight: 600; }
header.top .who { font-size: 13px; opacity: .85; white-space: nowrap; } header.top form { display:inline; margin:0; white-space: nowrap; }
header.top button { background: transparent; color:#fff; border:1px solid #ffffff80; border-radius:4px; padding:3px 10px; cursor:pointer; font: inherit; font-size: 13px; }
header.top nav a { white-space: nowrap; }
.stepper { display:inline-flex; align-items:center; gap: 8px; } .stepper button { padding: 2px 10px; } .stepper strong { min-width: 3em; text-align: right; }
main { max-width: 1280px; margin: 0 auto; padding: 20px; }
h1 { font-size: 24px; margin: 4px 0 16px; } h2 { font-size: 18px; margin: 24px 0 8px; }
.card { background: var(--card); border:1px solid var(--line); border-radius:6px; padding: 16px; margin-bottom: 16px; }
table { border-collapse: collapse; width: 100%; background: var(--card); }
th, td { text-align:left; padding: 7px 10px; border-bottom:1px solid var(--line); vertical-align: top; }
th { font-size: 13px; color: var(--muted); font-weight:600; background:#fafbfc; }
td.num, th.num { text-align:right; font-variant-numeric: tabular-nums; white-space: nowrap; }
tr:hover td { background: #f3f7fc; }
.status { display:inline-block; padding: 1px 8px; border-radius: 10px; font-size: 13px; font-weight:600; white-space: nowrap; border:1px solid transparent; }
.status-failed { background:#fde8e6; color: var(--bad); border-color:#f3b8b2; } .status-in_doubt { background:#fff3d6; color: var(--warn); border-color:#ebd29a; }
.status-synced { background:#e5f4e7; color: var(--good); } .status-retrying { background:#fff3d6; color: var(--warn); }
.status-queued, .status-syncing { background:#e6eef8; color: var(--accent); } .status-superseded, .status-cancelled { background:#eceff2; color: var(--muted); }
.tabs { display:flex; gap: 6px; flex-wrap: wrap; margin-bottom: 12px; padding:0; list-style:none; }
.tabs a { display:inline-block; padding: 4px 12px; border:1px solid var(--line); border-radius: 16px; background:#fff; text-decoration:none; color: var(--fg); }
.tabs a[aria-current=true] { background: #12263f; color:#fff; border-color:#12263f; }
.tabs .count { font-variant-numeric: tabular-nums; color: inherit; opacity: .8; margin-left: 4px; }
.filters { display:flex; gap: 12px; flex-wrap: wrap; align-items: flex-end; margin-bottom: 12px; }
label { display:block; font-size: 13px; color: var(--muted); margin-bottom: 2px; }
input, select, textarea { font: inherit; padding: 5px 8px; border: 1px solid #aab3bd; border-radius: 4px; background:#fff; }
button, .button { font: inherit; padding: 6px 14px; border-radius: 4px; border: 1px solid var(--accent); background: var(--accent); color:#fff; cursor: pointer; text-decoration: none; display:inline-block; }
button.secondary, .button.secondary { background:#fff; color: var(--accent); } button.danger { background: var(--bad); border-color: var(--bad); }
button[disabled] { opacity: .6; cursor: progress; }
.flash { padding: 10px 14px; border-radius: 6px; margin-bottom: 14px; border:1px solid; }
.flash-ok { background:#e5f4e7; border-color:#a8d5ae; } .flash-error { background:#fde8e6; border-color:#f3b8b2; }
.error-box { border-left: 4px solid var(--bad); } .error-box p { margin: 4px 0; }
dl.facts { display:grid; grid-template-columns: max-content 1fr; gap: 4px 16px; margin:0; } dl.facts dt { color: var(--muted); } dl.facts dd { margin:0; }
.problem { color: var(--bad); } .grow { flex: 1; } .grow input { width: 100%; } form.inline { display: inline; }
.muted { color: var(--muted); } .small { font-size: 13px; }
.actions { display:flex; gap: 10px; flex-wrap: wrap; align-items: flex-start; } .actions form { margin: 0; }
ol.timeline { list-style: none; padding: 0; margin: 0; } ol.timeline li { padding: 4px 0 4px 14px; border-left: 2px solid var(--line); }
pre { white-space: pre-wrap; word-break: break-word; background:#f3f4f6; padding: 8px; border-radius: 4px; font-size: 12px; max-height: 260px; overflow:auto; }
details { margin: 6px 0; } summary { cursor: pointer; }
.pager { display:flex; gap: 12px; margin-top: 12px; }
.signin { max-width: 460px; margin: 60px auto; } .signin input { width: 100%; }
.busy-indicator { display:none; } form[aria-busy=true] .busy-indicator { display:inline-block; margin-left: 8px; }
@media (max-width: 900px) { .hide-narrow { display:none; } }
`;

export const CONSOLE_JS = `
// Progressive enhancement only: the console works without this script.
document.addEventListener('submit', function (event) {
  var form = event.target;
  var question = form.getAttribute('data-confirm');
  if (question && !window.confirm(question)) { event.preventDefault(); return; }
  form.setAttribute('aria-busy', 'true');
  var buttons = form.querySelectorAll('button[type=submit], button:not([type])');
  for (var i = 0; i < buttons.length; i++) buttons[i].disabled = true;
}, true);
// A chosen CSV file is read into the textarea it names, so it can be previewed like pasted text.
document.addEventListener('change', function (event) {
  var input = event.target;
  var target = input && input.getAttribute && input.getAttribute('data-fill');
  if (!target || !input.files || !input.files[0]) return;
  input.files[0].text().then(function (text) { document.getElementById(target).value = text; });
});
`;
