/*
 * portal.js — small progressive enhancements for the booking portal.
 *
 * Plain ES2017, no build step, no framework. Safe under a CSP of
 * `script-src 'self'`: no inline code, no eval, no string timers.
 * Every feature is optional; pages work without this file.
 *
 *  1. Timezone detection
 *     <select name="timezone" data-detect-timezone [data-autosubmit]>
 *     When the URL has no `timezone` query parameter, preselect the
 *     browser's IANA zone (only if the select offers it). With
 *     `data-autosubmit`, the change is sent straight away: via htmx when
 *     the element sits inside an htmx-driven element, else by submitting
 *     its form. An <input list="..."> works the same way.
 *
 *  Also: a page answering a POST that names its own GET address
 *     (`<div data-page-address="/book/x?timezone=...">`) puts it in the
 *     address bar first, so Reload and Back show the same page and the zone
 *     it names is kept (detection sees `timezone` in the URL).
 *
 *  2. Focus management after htmx swaps
 *     After `htmx:afterSwap`, focus moves to the first `[data-autofocus]`
 *     element inside the swapped content (headings get tabindex="-1").
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

  function detectTimezone(root) {
    if (urlHasTimezone()) {
      return; // the visitor (or a link) chose explicitly: leave it alone
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
   * 2. Focus management after htmx swaps
   * ------------------------------------------------------------------ */

  var swappedRoots = [];
  var focusScheduled = false;

  function focusSwapped() {
    focusScheduled = false;
    var roots = swappedRoots;
    swappedRoots = [];
    for (var i = 0; i < roots.length; i++) {
      if (!roots[i].isConnected) {
        continue;
      }
      var target = findAll(roots[i], '[data-autofocus]')[0];
      if (target) {
        if (target.tabIndex < 0 && !target.hasAttribute('tabindex')) {
          target.setAttribute('tabindex', '-1'); // headings, paragraphs…
        }
        target.focus({ preventScroll: false });
        return;
      }
    }
  }

  function onAfterSwap(evt) {
    // htmx fires afterSwap once per settled element; focus once per swap.
    var root = evt.target;
    if (root && root.nodeType === 1) {
      swappedRoots.push(root);
    }
    if (!focusScheduled) {
      focusScheduled = true;
      window.setTimeout(focusSwapped, 0);
    }
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
  }

  document.addEventListener('htmx:afterSwap', onAfterSwap);
  // New content from htmx may contain a timezone picker too.
  document.addEventListener('htmx:load', function (evt) {
    detectTimezone(evt.target);
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
