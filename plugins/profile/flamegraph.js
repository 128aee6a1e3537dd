// The flame graph's behaviour, run by the browser that opens the SVG: hover details, click to zoom,
// search. It works on the SVG FlamegraphFormat writes: each frame is a <g class="frame"> whose
// data-offset, data-samples and data-depth place it in samples (not pixels), with its label in a
// <text> and its details in a <title>. Without a script (an image viewer) the graph still shows.
(function () {
  'use strict';
  const area = document.getElementById('frames');
  const left = Number(area.getAttribute('data-left'));
  const width = Number(area.getAttribute('data-width'));
  const total = Number(area.getAttribute('data-total'));
  const charWidth = Number(area.getAttribute('data-char-width'));
  const labelPad = Number(area.getAttribute('data-label-pad'));
  const details = document.getElementById('details');
  const matched = document.getElementById('matched');
  const resetZoom = document.getElementById('reset-zoom');
  const search = document.getElementById('search');
  const hint = details.textContent;

  const frames = Array.from(area.querySelectorAll('g.frame'), function (g) {
    return {
      g: g,
      rect: g.querySelector('rect'),
      label: g.querySelector('text'),
      title: g.querySelector('title').textContent,
      name: g.getAttribute('data-name'),
      location: g.getAttribute('data-location') || '',
      offset: Number(g.getAttribute('data-offset')),
      samples: Number(g.getAttribute('data-samples')),
      depth: Number(g.getAttribute('data-depth')),
      isRoot: g.classList.contains('all'),
    };
  });
  const byElement = new Map(frames.map(function (f) { return [f.g, f]; }));

  function frameOf(element) {
    const g = element && element.closest ? element.closest('g.frame') : null;
    return g ? byElement.get(g) : undefined;
  }

  function percent(samples) {
    return (100 * samples / total).toFixed(2) + '%';
  }

  // The rule FlamegraphFormat.Label follows: as many characters as fit, ".." where some are cut.
  function fit(name, pixels) {
    const room = Math.floor((pixels - 2 * labelPad) / charWidth);
    if (room < 3) return '';
    return name.length <= room ? name : name.slice(0, room - 2) + '..';
  }

  function place(f, x, w) {
    f.rect.setAttribute('x', x.toFixed(2));
    f.rect.setAttribute('width', w.toFixed(2));
    f.label.setAttribute('x', (x + labelPad).toFixed(2));
    f.label.textContent = fit(f.name, w);
  }

  // The frame clicked fills the width with its callees above it; its callers stay below it, dimmed
  // and as wide as the graph; the rest is hidden. Offsets are in samples, so the tests are exact.
  function zoom(target) {
    if (target.isRoot) {
      reset();
      return;
    }
    const end = target.offset + target.samples;
    const scale = width / target.samples;
    for (const f of frames) {
      const within = f.depth >= target.depth && f.offset >= target.offset && f.offset + f.samples <= end;
      const caller = f.depth < target.depth && f.offset <= target.offset && f.offset + f.samples >= end;
      f.g.classList.toggle('hidden', !within && !caller);
      f.g.classList.toggle('ancestor', caller);
      if (within) place(f, left + (f.offset - target.offset) * scale, f.samples * scale);
      else if (caller) place(f, left, width);
    }
    resetZoom.classList.remove('hidden');
  }

  function reset() {
    const scale = width / total;
    for (const f of frames) {
      f.g.classList.remove('hidden', 'ancestor');
      place(f, left + f.offset * scale, f.samples * scale);
    }
    resetZoom.classList.add('hidden');
  }

  // A regular expression, case-insensitive; a term that is not one (an unbalanced parenthesis) is
  // looked for as it is written.
  function matcher(term) {
    try {
      const pattern = new RegExp(term, 'i');
      return function (text) { return pattern.test(text); };
    } catch (notARegex) {
      const lower = term.toLowerCase();
      return function (text) { return text.toLowerCase().includes(lower); };
    }
  }

  function find(term) {
    for (const f of frames) f.g.classList.remove('match');
    if (!term) {
      matched.textContent = '';
      return;
    }
    const matches = matcher(term);
    const hits = frames.filter(function (f) { return !f.isRoot && (matches(f.name) || matches(f.location)); });
    for (const f of hits) f.g.classList.add('match');
    // Frames nest or are apart: a match within a match (a recursive call, a callee of a matched
    // caller) is already in its share, so the share is the width the outermost matches cover.
    const spans = hits.map(function (f) { return [f.offset, f.offset + f.samples]; })
      .sort(function (a, b) { return a[0] - b[0] || b[1] - a[1]; });
    let covered = 0;
    let reached = -1;
    for (const span of spans) {
      if (span[0] < reached) continue;
      covered += span[1] - span[0];
      reached = span[1];
    }
    matched.textContent = hits.length === 0
      ? 'No frame matches'
      : 'Matched: ' + percent(covered) + ' of all (' + hits.length + (hits.length === 1 ? ' frame)' : ' frames)');
  }

  area.addEventListener('mouseover', function (event) {
    const f = frameOf(event.target);
    if (f) details.textContent = f.title;
  });
  area.addEventListener('mouseout', function () { details.textContent = hint; });
  area.addEventListener('click', function (event) {
    const f = frameOf(event.target);
    if (f) zoom(f);
  });
  resetZoom.addEventListener('click', reset);
  search.addEventListener('input', function () { find(search.value); });
  document.addEventListener('keydown', function (event) {
    if (event.key === 'Escape') {
      search.value = '';
      find('');
      search.blur();
      reset();
    } else if (event.key === '/' && document.activeElement !== search) {
      // "/" starts a search, as in a pager; typed into the box it is part of the pattern.
      event.preventDefault();
      search.focus();
    }
  });
})();
