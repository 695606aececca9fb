/**
 * The web UI's only script, served at /assets/app.js: hand-written, no build step, no
 * dependencies. Pages work without it (a running brief's page refreshes itself from a
 * <noscript> meta tag; citation links are #anchors highlighted by :target); with it:
 *
 * - Live progress: every element with `data-events` follows that brief's server-sent events
 *   (GET /v1/briefs/:id/events) and shows the stage and the chunks done; when every followed
 *   brief has finished, the page reloads to show the result.
 * - Citations: a click on a citation link (or Enter on it) highlights every piece of the quoted
 *   span in the source text, not only the first piece that :target reaches.
 *
 * Everything shown comes from textContent and numeric attributes: no HTML is built from data.
 */
export const script = `
(function () {
  'use strict';

  var followed = document.querySelectorAll('[data-events]');
  var running = followed.length;

  function show(panel, stage, done, total) {
    var stageText = panel.querySelector('[data-stage]');
    var bar = panel.querySelector('progress');
    if (stageText) stageText.textContent = stage;
    if (bar && typeof done === 'number' && typeof total === 'number' && total > 0) {
      bar.max = total;
      bar.value = done;
      bar.setAttribute('aria-valuetext', done + ' of ' + total);
    }
  }

  function finished(panel, source, text) {
    source.close();
    show(panel, text);
    panel.setAttribute('data-finished', 'true');
    running -= 1;
    if (running === 0) window.location.reload();
  }

  function follow(panel) {
    var source = new EventSource(panel.getAttribute('data-events'));
    var on = function (name, handle) {
      source.addEventListener(name, function (event) {
        var data;
        try { data = JSON.parse(event.data); } catch (error) { return; }
        handle(data);
      });
    };
    on('status', function (data) {
      show(panel, data.chunks ? 'Working: ' + data.chunks + ' chunks to read' : 'Working: reading the document');
    });
    on('queued', function (data) {
      show(panel, 'Queued: ' + data.chunks + (data.chunks === 1 ? ' chunk' : ' chunks') + ' to read', 0, data.chunks);
    });
    on('progress', function (data) {
      if (data.stage === 'map') {
        show(panel, 'Reading the document: ' + data.done + ' of ' + data.total + ' chunks done', data.done, data.total);
      } else {
        show(panel, 'Merging partial briefs (level ' + data.level + '): ' + data.done + ' of ' + data.total + ' merges done', data.done, data.total);
      }
    });
    on('verified', function (data) {
      show(panel, 'Checking quotes: ' + data.verifiedCitations + ' of ' + data.citations + ' found in the source', data.citations, data.citations);
    });
    on('succeeded', function () { finished(panel, source, 'Done. Loading the brief…'); });
    on('failed', function (data) {
      finished(panel, source, 'Failed: ' + (data.error && data.error.message ? data.error.message : 'unknown error'));
    });
    source.onerror = function () {
      if (source.readyState === EventSource.CLOSED) show(panel, 'Lost the connection to the server. Reload the page to see where the brief is.');
    };
  }

  for (var i = 0; i < followed.length; i++) follow(followed[i]);

  function highlight(number) {
    if (!/^[0-9]+$/.test(number)) return;
    var lit = document.querySelectorAll('.q.hl');
    for (var i = 0; i < lit.length; i++) lit[i].classList.remove('hl');
    var pieces = document.querySelectorAll('.q[data-q="' + number + '"]');
    for (var j = 0; j < pieces.length; j++) pieces[j].classList.add('hl');
  }

  document.addEventListener('click', function (event) {
    var link = event.target && event.target.closest ? event.target.closest('a.cite[data-q]') : null;
    if (link) highlight(link.getAttribute('data-q'));
  });

  function fromHash() {
    var match = /^#q-([0-9]+)$/.exec(window.location.hash);
    if (match) highlight(match[1]);
  }
  window.addEventListener('hashchange', fromHash);
  fromHash();
})();
`;
