/*
 * portal.js — small progressive enhancements for the booking portal.
 *
 * Plain ES2017, no build step, no framework. Safe under a CSP of
 * `script-src 'self'`: no inline code, no eval, no string timers.
 * Every feature is optional; pages work without this file.
 *
 *  1. Timezone detection
 *     <select name="timezone" data-detect-timezone [data-autosubmit]>
 *     When the URL has no `timezone` query parameter and the server did not
 *     know the browser's zone yet (the `portal_browser_zone` cookie, set here,
 *     read by `portal/web/viewer.py`), preselect the browser's IANA zone
 *     (only if the select offers it). With
 *     `data-autosubmit`, the change is sent straight away: via htmx when
 *     the element sits inside an htmx-driven element, else by submitting
 *     its form. An <input list="..."> works the same way.
 *
 *  Also: a page answering a POST that names its own GET address
 *     (`<div data-page-address="/book/x?timezone=...">`) puts it in the
 *     address bar first, so Reload and Back show the same page and the zone
 *     it names is kept (detection sees `timezone` in the URL).
 *
 *  2. Focus management (issue 16)
 *     After an htmx swap that the visitor asked for (a click or a key since
 *     the last move), focus moves into the new content: its first
 *     `[data-autofocus]` element, else its first heading, else its root
 *     (given tabindex="-1"). Focus that htmx kept inside the new content (an
 *     element with the same id) stays where it is, and swaps nobody asked
 *     for (the time zone sent on page load) move nothing. On page load, a
 *     form with errors focuses its first invalid field.
 *
 *  3. Staff time grid: opens scrolled to now, else to the first appointment,
 *     with today's column in view (on load and after each swap).
 *
 *  4. Tables wider than their frame (`.table-wrap`) scroll inside it; such
 *     a frame without a focusable element becomes focusable, so keyboards
 *     can scroll it, and is named by its table's caption or heading.
 *
 *  5. Parts that only matter for one choice (issue 16)
 *     <fieldset data-shown-for="kind=weekly"> is hidden unless the radio
 *     button `kind` of its form has the value `weekly`, and follows each
 *     change. Without this file it stays visible (the server ignores it
 *     for the other choices and says so in a hint).
 */
(function () {
  'use strict';

  var HX_REQUEST_SELECTOR = [
    '[hx-get]', '[hx-post]', '[hx-put]', '[hx-patch]', '[hx-delete]',
    '[data-hx-get]', '[data-hx-post]', '[data-hx-put]', '[data-hx-patch]',
    '[data-hx-delete]'
  ].join(',');

  /* ------------------------------------------------------------------
   * Helpers
   * ------------------------------------------------------------------ */

  /** All elements matching `selector` in `root`, including root itself. */
  function findAll(root, selector) {
    var found = [];
    if (!root || (root.nodeType !== 1 && root.nodeType !== 9)) {
      return found;
    }
    if (root.nodeType === 1 && root.matches(selector)) {
      found.push(root);
    }
    return found.concat(Array.prototype.slice.call(root.querySelectorAll(selector)));
  }

  function browserTimezone() {
    try {
      return Intl.DateTimeFormat().resolvedOptions().timeZone || '';
    } catch (e) {
      return '';
    }
  }

  function urlHasTimezone() {
    try {
      return new URLSearchParams(window.location.search).has('timezone');
    } catch (e) {
      return /[?&]timezone=/.test(window.location.search);
    }
  }

  /** Options a picker offers: <select> options or the <datalist> of an input. */
  function offeredValues(el) {
    var options = null;
    if (el.tagName === 'SELECT') {
      options = el.options;
    } else if (el.list) {
      options = el.list.options;
    }
    if (!options) {
      return null; // free-text input: anything goes
    }
    return Array.prototype.map.call(options, function (o) { return o.value; });
  }

  function hxAttr(el, name) {
    return el.getAttribute('hx-' + name) || el.getAttribute('data-hx-' + name) || '';
  }

  /* ------------------------------------------------------------------
   * 1. Timezone detection
   * ------------------------------------------------------------------ */

  function send(el) {
    var form = el.form || el.closest('form');
    var hxElt = window.htmx ? el.closest(HX_REQUEST_SELECTOR) : null;

    if (hxElt) {
      // A form with the default trigger ("submit") only reacts to submit;
      // anything else (hx-trigger="change", an input with hx-get) to change.
      var trigger = hxAttr(hxElt, 'trigger');
      var onSubmit = hxElt.tagName === 'FORM' && !/\bchange\b/.test(trigger);
      if (!onSubmit) {
        window.htmx.trigger(el, 'change');
        return;
      }
    }
    if (form) {
      if (typeof form.requestSubmit === 'function') {
        form.requestSubmit(); // fires `submit`, so htmx/validation see it
      } else {
        form.submit();
      }
      return;
    }
    el.dispatchEvent(new Event('change', { bubbles: true }));
  }

  // The server keeps the visitor's zone in the session (a choice, else this cookie's
  // browser zone), so a page rendered while the cookie was there is already right.
  var ZONE_COOKIE = 'portal_browser_zone';
  // Framed on another site (embeds), the cookie may be readable here but not sent: detect.
  var framed = window.self !== window.top;
  var zoneKnownToServer = !framed && document.cookie.split('; ').some(function (pair) {
    return pair.indexOf(ZONE_COOKIE + '=') === 0;
  });

  function rememberBrowserZone() {
    var tz = browserTimezone();
    if (/^[A-Za-z0-9_+\/-]+$/.test(tz)) { // an IANA name needs no escaping
      document.cookie = ZONE_COOKIE + '=' + tz + '; path=/; max-age=31536000' +
        '; SameSite=Lax' + (window.location.protocol === 'https:' ? '; Secure' : '');
    }
  }

  function detectTimezone(root) {
    if (urlHasTimezone() || zoneKnownToServer) {
      return; // chosen (a link, the picker) or known to the server: leave it alone
    }
    var tz = browserTimezone();
    if (!tz) {
      return;
    }
    findAll(root, '[data-detect-timezone]').forEach(function (el) {
      if (el.dataset.timezoneDetected) {
        return;
      }
      el.dataset.timezoneDetected = 'true';

      var offered = offeredValues(el);
      if (offered && offered.length && offered.indexOf(tz) === -1) {
        return; // unknown to the server: keep its default
      }
      if (el.value === tz) {
        return; // already right; nothing to send (also prevents loops)
      }
      el.value = tz;
      if (el.hasAttribute('data-autosubmit')) {
        send(el);
      }
    });
  }

  /* ------------------------------------------------------------------
   * 2. Focus management
   * ------------------------------------------------------------------ */

  var swappedRoots = [];
  var focusScheduled = false;
  // Set by the visitor's clicks and keys; a swap only moves focus after one.
  var visitorActed = false;

  function focusQuietly(target) {
    if (target.tabIndex < 0 && !target.hasAttribute('tabindex')) {
      target.setAttribute('tabindex', '-1'); // headings, sections…
    }
    target.focus({ preventScroll: false });
  }

  function hasFocusInside(root) {
    var active = document.activeElement;
    return !!active && active !== document.body && root.contains(active);
  }

  function focusSwapped() {
    focusScheduled = false;
    var roots = swappedRoots.filter(function (root) { return root.isConnected; });
    swappedRoots = [];
    if (!visitorActed || !roots.length) {
      return;
    }
    visitorActed = false;
    for (var i = 0; i < roots.length; i++) {
      if (hasFocusInside(roots[i])) {
        return; // htmx kept focus on the same element, or a script placed it
      }
    }
    var root = roots[0];
    var target = findAll(root, '[data-autofocus]')[0] ||
      findAll(root, 'h1, h2, h3')[0] || root;
    focusQuietly(target);
  }

  function onAfterSwap(evt) {
    // htmx fires afterSwap once per settled element; focus once per swap.
    var root = evt.target;
    if (root && root.nodeType === 1) {
      // An outerHTML swap replaces the target: look it up again by id.
      if (!root.isConnected && root.id) {
        root = document.getElementById(root.id) || root;
      }
      swappedRoots.push(root);
    }
    if (!focusScheduled) {
      focusScheduled = true;
      window.setTimeout(focusSwapped, 0);
    }
  }

  function noteVisitor(evt) {
    if (evt.type === 'keydown' && (evt.key === 'Tab' || evt.key === 'Shift')) {
      return; // moving around is not asking for content
    }
    visitorActed = true;
  }

  /** A page answered with form errors: start at the first field to fix. */
  function focusFirstInvalid() {
    var active = document.activeElement;
    if (active && active !== document.body) {
      return; // the browser (autofocus) or the visitor was first
    }
    var field = document.querySelector(
      'main [aria-invalid="true"], main .field--invalid input:not([type=hidden]), ' +
      'main .field--invalid select, main .field--invalid textarea'
    );
    if (field && !field.disabled) {
      field.focus();
    }
  }

  /* ------------------------------------------------------------------
   * 3. Staff time grid: scroll to now
   * ------------------------------------------------------------------ */

  function scrollTimeGrid(root) {
    findAll(root, '.cal').forEach(function (grid) {
      if (grid.dataset.scrolledToNow) {
        return;
      }
      grid.dataset.scrolledToNow = 'true';
      var box = grid.getBoundingClientRect();
      var head = grid.querySelector('.cal__head');
      var gutter = grid.querySelector('.cal__gutter');
      var headHeight = head ? head.getBoundingClientRect().height : 0;
      var gutterWidth = gutter ? gutter.getBoundingClientRect().width : 0;

      var target = grid.querySelector('.cal__now') || grid.querySelector('.cal__event');
      if (target && grid.scrollHeight > grid.clientHeight) {
        var top = target.getBoundingClientRect().top - box.top + grid.scrollTop;
        // Leave an hour or so above: what just happened stays in sight.
        var visible = grid.clientHeight - headHeight;
        grid.scrollTop = Math.max(0, top - headHeight - visible / 4);
      }
      var column = (target && target.closest('.cal__col')) || grid.querySelector('.cal__col--today');
      if (column && grid.scrollWidth > grid.clientWidth) {
        var left = column.getBoundingClientRect().left - box.left + grid.scrollLeft;
        var right = left + column.getBoundingClientRect().width;
        if (left - gutterWidth < grid.scrollLeft || right > grid.scrollLeft + grid.clientWidth) {
          grid.scrollLeft = Math.max(0, left - gutterWidth);
        }
      }
    });
  }

  /* ------------------------------------------------------------------
   * 4. Wide tables scroll inside a focusable frame
   * ------------------------------------------------------------------ */

  var FOCUSABLE = 'a[href], button, input, select, textarea, summary, [tabindex]';
  var labelCount = 0;

  function idOf(el) {
    if (!el.id) {
      labelCount += 1;
      el.id = 'table-label-' + labelCount;
    }
    return el.id;
  }

  /** Ids naming a scrolling frame: its caption, else the heading before it and the
   *  heading of the card or section around it (so two "Parameters" differ). */
  function labelOf(frame) {
    var table = frame.querySelector('table');
    var caption = table && table.querySelector('caption');
    if (caption) {
      return idOf(caption);
    }
    var ids = [];
    var outer = frame.parentElement && frame.parentElement.closest('article, section');
    var outerHeading = outer && outer.querySelector('h1, h2, h3, h4');
    for (var el = frame.previousElementSibling; el; el = el.previousElementSibling) {
      if (/^H[1-6]$/.test(el.tagName)) {
        if (outerHeading && outerHeading !== el) {
          ids.push(idOf(outerHeading));
        }
        ids.push(idOf(el));
        break;
      }
    }
    return ids.join(' ');
  }

  function makeScrollersFocusable(root) {
    findAll(root, '.table-wrap').forEach(function (frame) {
      var scrolls = frame.scrollWidth > frame.clientWidth + 1;
      var managed = frame.hasAttribute('data-scroll-focus');
      if (scrolls && !managed && !frame.hasAttribute('tabindex') &&
          !frame.querySelector(FOCUSABLE)) {
        frame.setAttribute('tabindex', '0');
        frame.setAttribute('data-scroll-focus', '');
        var labelId = labelOf(frame);
        if (labelId) {
          frame.setAttribute('role', 'region');
          frame.setAttribute('aria-labelledby', labelId);
        }
      } else if (!scrolls && managed) {
        frame.removeAttribute('tabindex');
        frame.removeAttribute('data-scroll-focus');
        frame.removeAttribute('role');
        frame.removeAttribute('aria-labelledby');
      }
    });
  }

  /* ------------------------------------------------------------------
   * Wiring
   * ------------------------------------------------------------------ */

  var started = false;

  function showPageAddress() {
    var el = document.querySelector('[data-page-address]');
    if (el && window.history && typeof window.history.replaceState === 'function') {
      window.history.replaceState(null, '', el.getAttribute('data-page-address'));
    }
  }

  function start() {
    if (started) {
      return;
    }
    started = true;
    showPageAddress();
    detectTimezone(document);
    rememberBrowserZone();
    focusFirstInvalid();
    scrollTimeGrid(document);
    makeScrollersFocusable(document);
    showForChoices(document);
  }

  /* ------------------------------------------------------------------
   * 5. Parts shown for one choice only
   * ------------------------------------------------------------------ */

  function syncShownFor(form) {
    findAll(form, '[data-shown-for]').forEach(function (part) {
      var rule = part.getAttribute('data-shown-for').split('=');
      var checked = form.querySelector('input[name="' + rule[0] + '"]:checked');
      part.hidden = !checked || checked.value !== rule[1];
    });
  }

  function showForChoices(root) {
    findAll(root, '[data-shown-for]').forEach(function (part) {
      var form = part.closest('form');
      if (!form) {
        return;
      }
      if (!form.dataset.shownForBound) {
        form.dataset.shownForBound = 'true';
        form.addEventListener('change', function () { syncShownFor(form); });
      }
      syncShownFor(form);
    });
  }

  document.addEventListener('htmx:afterSwap', onAfterSwap);
  // A <datalist>'s options hold no htmx attributes: put them in directly, so
  // htmx does not process (and fire htmx:load for) each of the ~600 zones,
  // which blocked the booking page's main thread for a long while.
  document.addEventListener('htmx:beforeSwap', function (evt) {
    var target = evt.detail && evt.detail.target;
    if (target && target.tagName === 'DATALIST' && evt.detail.shouldSwap &&
        typeof evt.detail.serverResponse === 'string') {
      evt.detail.shouldSwap = false;
      target.innerHTML = evt.detail.serverResponse;
    }
  });
  // After htmx changes the address bar, the language menu returns to the new address
  // (the server wrote the address the page was loaded at). Only then: a page answering
  // a POST keeps the form page the server chose.
  function menuReturnsHere() {
    var next = document.querySelector('.language-menu input[name="next"]');
    if (next) {
      next.value = window.location.pathname + window.location.search;
    }
  }
  document.addEventListener('htmx:pushedIntoHistory', menuReturnsHere);
  document.addEventListener('htmx:replacedInHistory', menuReturnsHere);
  document.addEventListener('htmx:historyRestore', menuReturnsHere);
  document.addEventListener('pointerdown', noteVisitor, true);
  document.addEventListener('keydown', noteVisitor, true);
  // New content from htmx may contain a timezone picker, a time grid or tables too.
  document.addEventListener('htmx:load', function (evt) {
    detectTimezone(evt.target);
    scrollTimeGrid(evt.target);
    makeScrollersFocusable(evt.target);
    showForChoices(evt.target);
  });
  var resizeTimer = 0;
  window.addEventListener('resize', function () {
    window.clearTimeout(resizeTimer);
    resizeTimer = window.setTimeout(function () { makeScrollersFocusable(document); }, 200);
  });

  // Deferred scripts run before DOMContentLoaded; htmx (loaded first)
  // registers its own initialisation on that event, so ours runs after
  // htmx has processed the page and htmx.trigger() reaches its listeners.
  if (document.readyState === 'complete') {
    start();
  } else {
    document.addEventListener('DOMContentLoaded', start);
    window.addEventListener('load', start);
  }
}());
