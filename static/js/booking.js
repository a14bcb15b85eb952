/*
 * booking.js — the slot picker's small enhancements (pages work without it).
 *
 * When a day of the month is clicked, htmx loads only that day's slots; this
 * moves the "selected" look and aria-current to the clicked day at once, so
 * the month does not need to be fetched again.
 */
(function () {
  'use strict';

  function selectDay(link) {
    var grid = link.closest('.month');
    if (!grid) {
      return;
    }
    Array.prototype.forEach.call(grid.querySelectorAll('[data-day]'), function (other) {
      other.classList.remove('month__day--selected');
      other.removeAttribute('aria-current');
    });
    link.classList.add('month__day--selected');
    link.setAttribute('aria-current', 'date');
    // Keep the zone / agent form in step, so changing them keeps this day.
    var form = document.querySelector('#picker .booking__options');
    if (form) {
      var day = form.querySelector('input[name="day"]');
      var monthInput = form.querySelector('input[name="month"]');
      if (!day) {
        day = document.createElement('input');
        day.type = 'hidden';
        day.name = 'day';
        form.appendChild(day);
      }
      if (monthInput) {
        monthInput.parentNode.removeChild(monthInput);
      }
      day.value = link.getAttribute('data-day');
    }
  }

  document.addEventListener('htmx:beforeRequest', function (evt) {
    var elt = evt.detail && evt.detail.elt;
    if (elt && elt.hasAttribute && elt.hasAttribute('data-day')) {
      selectDay(elt);
    }
  });
}());
