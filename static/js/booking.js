/*
 * booking.js — the slot picker's small enhancements (pages work without it).
 *
 * When a day of the month is clicked, htmx loads only that day's slots; this
 * moves the "selected" look and aria-current to the clicked day at once, so
 * the month does not need to be fetched again.
 *
 * Keyboard (the WAI-ARIA date picker's keys, roving tabindex): the month is
 * one Tab stop, on the selected day (else today, else the first free day).
 * Left/Right move a day, Up/Down a week, Home/End to the week's start/end,
 * PageUp/PageDown a month (when that month's link exists; moving past the
 * first or last day does the same). Days without times are focusable too,
 * so their "nothing free" is read out; Enter on a free day opens its times.
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
  /* Keyboard: roving tabindex over the days of the month. */

  var pendingFocus = null; // {day: n} or {fromEnd: n}, for the month being loaded

  function monthCells(month) {
    // Every cell of the grid in order, blanks included, so index % 7 is the weekday.
    return Array.prototype.slice.call(month.querySelectorAll('.month__day'));
  }

  function isDay(cell) {
    return cell && !cell.classList.contains('month__day--blank');
  }

  function dayNumber(cell) {
    return parseInt(cell.textContent, 10);
  }

  function setRoving(month, active) {
    monthCells(month).forEach(function (cell) {
      if (!isDay(cell)) {
        return;
      }
      cell.setAttribute('tabindex', cell === active ? '0' : '-1');
    });
  }

  function initialDay(month) {
    var days = monthCells(month).filter(isDay);
    if (pendingFocus) {
      var wanted = pendingFocus.day || days.length + 1 - pendingFocus.fromEnd;
      wanted = Math.min(Math.max(wanted, 1), days.length);
      var found = days.filter(function (cell) { return dayNumber(cell) === wanted; })[0];
      if (found) {
        return found;
      }
    }
    return month.querySelector('.month__day--selected') ||
      month.querySelector('.month__day--today') ||
      month.querySelector('a.month__day--free') ||
      month.querySelector('a.month__day') || days[0];
  }

  function setUpMonth(root) {
    var months = root.matches && root.matches('.month') ? [root] : [];
    months = months.concat(Array.prototype.slice.call(root.querySelectorAll('.month')));
    months.forEach(function (month) {
      var active = initialDay(month);
      if (!active) {
        return;
      }
      setRoving(month, active);
      if (pendingFocus) {
        pendingFocus = null;
        active.focus();
      }
    });
  }

  function changeMonth(month, direction, focus) {
    var section = month.closest('.booking__calendar') || document;
    var link = section.querySelector(direction < 0 ? 'a#month-prev' : 'a#month-next');
    if (!link) {
      return false;
    }
    pendingFocus = focus;
    link.click();
    return true;
  }

  function onMonthKey(evt) {
    var cell = evt.target;
    if (!cell.classList || !cell.classList.contains('month__day') || evt.altKey ||
        evt.ctrlKey || evt.metaKey) {
      return;
    }
    var month = cell.closest('.month');
    var cells = monthCells(month);
    var days = cells.filter(isDay);
    var index = cells.indexOf(cell);
    var column = index % 7;
    var number = dayNumber(cell);
    var step = {
      ArrowLeft: -1, ArrowRight: 1, ArrowUp: -7, ArrowDown: 7,
      Home: -column, End: 6 - column
    }[evt.key];
    var moved = true;
    if (evt.key === 'PageUp' || evt.key === 'PageDown') {
      moved = changeMonth(month, evt.key === 'PageUp' ? -1 : 1, { day: number });
    } else if (step !== undefined) {
      var target = number + step;
      if (target < 1) {
        moved = changeMonth(month, -1, { fromEnd: 1 - target });
      } else if (target > days.length) {
        moved = changeMonth(month, 1, { day: target - days.length });
      } else {
        var next = days[target - 1];
        setRoving(month, next);
        next.focus();
      }
    } else if (evt.key === ' ' && cell.tagName === 'A') {
      cell.click(); // Space chooses too, as on a button
    } else {
      return;
    }
    if (moved || step !== undefined) {
      evt.preventDefault();
    }
  }

  document.addEventListener('keydown', onMonthKey);
  // Clicking a day keeps the Tab stop on it.
  document.addEventListener('focusin', function (evt) {
    var cell = evt.target;
    if (cell.classList && cell.classList.contains('month__day') && isDay(cell)) {
      setRoving(cell.closest('.month'), cell);
    }
  });
  document.addEventListener('htmx:load', function (evt) {
    setUpMonth(evt.target);
  });
  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', function () { setUpMonth(document); });
  } else {
    setUpMonth(document);
  }
}());
