/**
 * The console's only script: it opens the page's server-sent event stream and puts each section
 * the server sends in place. Everything else is plain HTML and forms, which work without it.
 */
export const CONSOLE_SCRIPT = `'use strict';
(function () {
  var url = document.body.getAttribute('data-live');
  var status = document.getElementById('live-status');
  if (!url || !window.EventSource) return;
  var source = new EventSource(url);
  var say = function (text) { if (status) status.textContent = text; };
  source.addEventListener('open', function () { say('Live: updates arrive as the events do.'); });
  source.addEventListener('error', function () { say('Live updates interrupted; reconnecting...'); });
  source.addEventListener('section', function (message) {
    var section = JSON.parse(message.data);
    var current = document.getElementById(section.id);
    if (!current) return;
    var template = document.createElement('template');
    template.innerHTML = section.html.trim();
    current.replaceWith(template.content);
    document.body.setAttribute('data-updates', String(Number(document.body.getAttribute('data-updates') || 0) + 1));
  });
})();
`;

export const CONSOLE_STYLE = `
:root { font-family: system-ui, sans-serif; color: #1b1b1b; background: #fff; }
body { margin: 0 auto; max-width: 80rem; padding: 0 1rem 2rem; }
header { display: flex; flex-wrap: wrap; gap: 1rem; align-items: baseline; border-bottom: 1px solid #ccc; }
.brand { font-weight: bold; }
a { color: #0b5394; }
table { border-collapse: collapse; width: 100%; margin: 0.5rem 0 1.5rem; font-size: 0.9rem; }
th, td { text-align: left; padding: 0.3rem 0.5rem; border-bottom: 1px solid #e3e3e3; vertical-align: top; }
td.number { text-align: right; font-variant-numeric: tabular-nums; }
.status { font-weight: bold; padding: 0 0.3rem; border-radius: 0.2rem; }
.status-pending { background: #fff3c4; }
.status-confirmed { background: #c9f2d0; }
.status-cancelled { background: #f8d0d0; }
.status-unknown { background: #e3e3e3; }
.error { color: #a00000; }
.notice { color: #005a00; }
.meta { color: #555; font-size: 0.85rem; }
ul.groups, ul.letters { margin: 0; padding-left: 1rem; }
.state-dead-lettered { color: #a00000; }
.state-pending { color: #7a5a00; }
form p { margin: 0.4rem 0; }
label { display: inline-block; min-width: 6rem; }
button { padding: 0.3rem 0.8rem; }
`;
