/* Cherwell Racquet Club (the sandbox's clubhouse skin): the cookie notice and the reserve button. */
/* global document */
(function () {
  'use strict';

  // The cookie notice covers the page until the member chooses; the choice lasts a year.
  var notice = document.getElementById('cc-notice');
  if (notice) {
    var choose = function (value) {
      document.cookie = 'cherwell_cookies=' + value + '; Path=/; Max-Age=31536000; SameSite=Lax';
      notice.remove();
    };
    notice.querySelector('.cc-allow').addEventListener('click', function () {
      choose('all');
    });
    notice.querySelector('.cc-decline').addEventListener('click', function () {
      choose('essential');
    });
  }

  // One press books once: the button disables itself while the form is on its way.
  var form = document.querySelector('form.reserve-form');
  if (form) {
    form.addEventListener('submit', function (event) {
      var button = form.querySelector('#reserve-submit');
      if (button.disabled) {
        event.preventDefault();
        return;
      }
      button.disabled = true;
      button.textContent = 'Reserving…';
    });
  }
})();
