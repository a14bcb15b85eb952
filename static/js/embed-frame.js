/*
 * embed-frame.js — runs inside the embedded booking flow (/embed/<slug>).
 *
 * Tells the page that frames it (only if that page is one of the service's embed
 * origins, listed in <body data-embed-origins>) how tall the content is, so the
 * host's snippet can size the iframe, and, on the confirmation step, that a
 * booking was made: {type: "portal:booked", appointmentId, start, service}.
 * Each message is posted with one configured origin as targetOrigin, so a page
 * of any other origin never receives it.
 */
(function () {
  'use strict';

  if (window.parent === window) {
    return;
  }
  var origins = [];
  try {
    origins = JSON.parse(document.body.getAttribute('data-embed-origins') || '[]');
  } catch (error) {
    origins = [];
  }

  function post(message) {
    origins.forEach(function (origin) {
      window.parent.postMessage(message, origin);
    });
  }

  var lastHeight = 0;
  function reportHeight() {
    var height = Math.ceil(document.documentElement.scrollHeight);
    if (height !== lastHeight) {
      lastHeight = height;
      post({ type: 'portal:resize', height: height });
    }
  }

  reportHeight();
  if (window.ResizeObserver) {
    new ResizeObserver(reportHeight).observe(document.body);
  }
  document.addEventListener('htmx:afterSettle', reportHeight);
  window.addEventListener('load', reportHeight);

  var booked = document.getElementById('embed-booked');
  if (booked) {
    post({
      type: 'portal:booked',
      appointmentId: booked.getAttribute('data-appointment-id'),
      start: booked.getAttribute('data-start'),
      service: booked.getAttribute('data-service')
    });
  }
})();
