/* The sandbox venue's browser script: overlays, the date picker, availability, and the confirm step. */
/* global document, window, fetch, URLSearchParams, setTimeout */
(function () {
  'use strict';

  function setCookie(name) {
    document.cookie = name + '=1; Path=/; Max-Age=31536000; SameSite=Lax';
  }

  // ------------------------------------------------------------ overlays
  var banner = document.getElementById('cookie-banner');
  if (banner) {
    var dismissBanner = function () {
      setCookie('em_cookie_consent');
      banner.remove();
    };
    document.getElementById('cookie-accept').addEventListener('click', dismissBanner);
    document.getElementById('cookie-reject').addEventListener('click', dismissBanner);
  }

  var popup = document.getElementById('marketing-popup');
  if (popup) {
    var closePopup = function () {
      setCookie('em_mkt_dismissed');
      popup.remove();
      document.removeEventListener('keydown', onEscape);
    };
    var onEscape = function (event) {
      if (event.key === 'Escape' && !popup.hidden) closePopup();
    };
    popup.querySelector('.triptease-close').addEventListener('click', closePopup);
    document.addEventListener('keydown', onEscape);
    var delayMs = Number(popup.getAttribute('data-delay-ms') || 0);
    if (delayMs > 0) {
      setTimeout(function () {
        popup.hidden = false;
      }, delayMs);
    }
  }

  // ------------------------------------------------------------ day view
  var controls = document.querySelector('.day-controls');
  if (!controls) return;
  var spaId = controls.getAttribute('data-spa-id');
  var month = controls.getAttribute('data-month'); // yyyy-MM
  var input = document.getElementById('from_date');
  var display = document.querySelector('.picker-display');
  var calendar = document.querySelector('.ui-datepicker');
  var slots = document.getElementById('slots');
  var dialog = document.getElementById('confirm-dialog');
  var terms = document.getElementById('confirm-terms');
  var confirmButton = document.getElementById('confirm-booking');
  var result = document.getElementById('confirm-result');
  var chosenSlot = null;
  var busy = false;

  var DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
  var MONTHS = [
    'January',
    'February',
    'March',
    'April',
    'May',
    'June',
    'July',
    'August',
    'September',
    'October',
    'November',
    'December',
  ];

  function parseDate(text) {
    var m = /^(\d{2})\/(\d{2})\/(\d{4})$/.exec(text || '');
    return m ? { d: Number(m[1]), m: Number(m[2]), y: Number(m[3]) } : null;
  }
  function pad(n) {
    return n < 10 ? '0' + n : String(n);
  }
  function showDisplay() {
    var p = parseDate(input.value);
    if (!p) {
      display.textContent = input.value || 'Choose a date';
      return;
    }
    var day = new Date(Date.UTC(p.y, p.m - 1, p.d));
    display.textContent = DAYS[day.getUTCDay()] + ' ' + p.d + ' ' + MONTHS[p.m - 1].slice(0, 3) + ' ' + p.y;
  }
  input.addEventListener('change', showDisplay);
  input.addEventListener('input', showDisplay);

  // A small jQuery-UI-style month grid.
  function renderCalendar() {
    var y = Number(month.slice(0, 4));
    var mo = Number(month.slice(5, 7));
    var first = new Date(Date.UTC(y, mo - 1, 1)).getUTCDay();
    var days = new Date(Date.UTC(y, mo, 0)).getUTCDate();
    var chosen = parseDate(input.value);
    var html = '<div class="ui-datepicker-header">' + MONTHS[mo - 1] + ' ' + y + '</div><table><thead><tr>';
    ['Mo', 'Tu', 'We', 'Th', 'Fr', 'Sa', 'Su'].forEach(function (d) {
      html += '<th>' + d + '</th>';
    });
    html += '</tr></thead><tbody><tr>';
    var lead = (first + 6) % 7;
    for (var i = 0; i < lead; i++) html += '<td></td>';
    for (var d = 1; d <= days; d++) {
      var active = chosen && chosen.d === d && chosen.m === mo && chosen.y === y;
      html +=
        '<td><a href="#" class="ui-state-default' +
        (active ? ' ui-state-active' : '') +
        '" data-day="' +
        d +
        '">' +
        d +
        '</a></td>';
      if ((lead + d) % 7 === 0 && d < days) html += '</tr><tr>';
    }
    html += '</tr></tbody></table>';
    calendar.innerHTML = html;
  }
  display.addEventListener('click', function () {
    if (calendar.hidden) renderCalendar();
    calendar.hidden = !calendar.hidden;
  });
  calendar.addEventListener('click', function (event) {
    var a = event.target.closest('a[data-day]');
    if (!a) return;
    event.preventDefault();
    input.value = pad(Number(a.getAttribute('data-day'))) + '/' + month.slice(5, 7) + '/' + month.slice(0, 4);
    input.dispatchEvent(new window.Event('change', { bubbles: true }));
    calendar.hidden = true;
  });
  document.addEventListener('click', function (event) {
    if (!calendar.hidden && !event.target.closest('.picker')) calendar.hidden = true;
  });
  showDisplay();

  var busyApply = controls.hasAttribute('data-busy-apply');
  var loading = 0;
  function showAvailability() {
    if (busyApply && loading > 0) return; // a site with a busy flag: one request at a time
    loading += 1;
    slots.classList.add('is-loading');
    slots.setAttribute('aria-busy', 'true');
    return fetch('/spa/' + spaId + '/slots?' + new URLSearchParams({ date: input.value }), {
      credentials: 'same-origin',
    })
      .then(function (res) {
        if (res.status === 401) {
          window.location.href = '/page/login';
          return '';
        }
        return res.text().then(function (text) {
          if (!res.ok) {
            return (
              '<p class="slots-error" data-status="' +
              res.status +
              '">We could not load availability (HTTP ' +
              res.status +
              '). Please try again.</p>'
            );
          }
          return text;
        });
      })
      .catch(function () {
        return '<p class="slots-error">We could not load availability. Please check your connection.</p>';
      })
      .then(function (html) {
        loading -= 1;
        slots.innerHTML = html;
        slots.classList.remove('is-loading');
        slots.removeAttribute('aria-busy');
      });
  }
  document.getElementById('btnApply').addEventListener('click', function (event) {
    event.preventDefault();
    calendar.hidden = true;
    showAvailability();
  });

  // ------------------------------------------------------------ confirm step
  function openDialog(card) {
    chosenSlot = card.getAttribute('data-slot-id');
    var parts = (card.getAttribute('data-summary') || '||').split('|');
    document.getElementById('confirm-court').textContent = parts[0];
    document.getElementById('confirm-date').textContent = parts[1];
    document.getElementById('confirm-time').textContent = parts[2];
    terms.checked = false;
    confirmButton.disabled = true;
    confirmButton.hidden = false;
    dialog.querySelector('.confirm-form').hidden = false;
    result.innerHTML = '';
    dialog.hidden = false;
    terms.focus();
  }
  function closeDialog() {
    dialog.hidden = true;
    chosenSlot = null;
  }
  slots.addEventListener('click', function (event) {
    var card = event.target.closest('[data-slot-id]');
    if (!card || card.getAttribute('aria-disabled') === 'true') return;
    openDialog(card);
  });
  slots.addEventListener('keydown', function (event) {
    if (event.key !== 'Enter' && event.key !== ' ') return;
    var card = event.target.closest('[data-slot-id]');
    if (!card || card.getAttribute('aria-disabled') === 'true') return;
    event.preventDefault();
    openDialog(card);
  });
  terms.addEventListener('change', function () {
    confirmButton.disabled = !terms.checked || busy;
  });
  document.getElementById('confirm-close').addEventListener('click', function () {
    var booked = result.querySelector('.booking-confirmation');
    closeDialog();
    if (booked) showAvailability();
  });

  function escapeHtml(text) {
    var div = document.createElement('div');
    div.textContent = text;
    return div.innerHTML;
  }
  function showError(code, message) {
    result.innerHTML =
      '<div class="booking-error" role="alert" data-error-code="' +
      escapeHtml(code) +
      '">' +
      escapeHtml(message) +
      '</div>';
  }

  confirmButton.addEventListener('click', function () {
    if (busy || !chosenSlot || !terms.checked) return;
    busy = true;
    confirmButton.disabled = true; // no double submission
    confirmButton.textContent = 'Booking…';
    result.innerHTML = '';
    var meta = document.querySelector('meta[name="csrf-token"]');
    fetch('/spa/' + spaId + '/book', {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({ slotId: chosenSlot, csrf: meta ? meta.getAttribute('content') : '' }),
    })
      .then(function (res) {
        return res.text().then(function (text) {
          try {
            return { res: res, data: JSON.parse(text) };
          } catch {
            return { res: res, data: null };
          }
        });
      })
      .then(function (r) {
        var data = r.data;
        if (data && data.ok) {
          dialog.querySelector('.confirm-form').hidden = true;
          confirmButton.hidden = true;
          result.innerHTML =
            '<div class="booking-confirmation" role="status"><h3>Booking confirmed</h3>' +
            '<p>Your booking reference is <strong class="booking-reference">' +
            escapeHtml(data.reference) +
            '</strong>.</p><p>We have added it to <a href="/page/my-bookings">My bookings</a>.</p></div>';
          return;
        }
        if (data && data.csrf && meta) meta.setAttribute('content', data.csrf);
        if (data && data.code) {
          showError(data.code, data.message || 'Something went wrong.');
          if (r.res.headers.get('retry-after')) {
            result.firstChild.setAttribute('data-retry-after', r.res.headers.get('retry-after'));
          }
          return;
        }
        var wait = r.res.headers.get('retry-after');
        showError(
          'error',
          'The booking could not be completed (HTTP ' +
            r.res.status +
            ').' +
            (wait ? ' Please try again in ' + wait + ' seconds.' : ' Please try again.'),
        );
        if (wait) result.firstChild.setAttribute('data-retry-after', wait);
      })
      .catch(function () {
        showError('error', 'The booking could not be completed. Please check your connection and try again.');
      })
      .then(function () {
        busy = false;
        confirmButton.textContent = 'Confirm booking';
        confirmButton.disabled = !terms.checked;
      });
  });
})();
