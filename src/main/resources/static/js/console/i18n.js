/*
 * Texts of the page in the chosen language. The server hands them over in the body's data-texts
 * attribute; {0}, {1}, ... are filled in here. Switching the language fetches the other texts and
 * swaps them in place (elements marked data-i18n, data-i18n-placeholder, data-i18n-aria-label),
 * so the connection, the subscriptions, the messages and typed fields all stay.
 */
(function (window, document) {
  'use strict';

  var HubConsole = window.HubConsole = window.HubConsole || {};
  var body = document.body;
  var texts = JSON.parse(body.getAttribute('data-texts') || '{}');
  var listeners = [];

  HubConsole.config = {
    maxMessages: Number(body.getAttribute('data-max-messages')) || 500,
    webSocketPath: body.getAttribute('data-web-socket-path') || '/mqtt'
  };

  function has(key) {
    return Object.prototype.hasOwnProperty.call(texts, key);
  }

  /** The text for key with each {n} replaced by the n-th further argument. */
  function t(key) {
    var args = Array.prototype.slice.call(arguments, 1);
    var text = has(key) ? texts[key] : key;
    return String(text).replace(/\{(\d+)\}/g, function (whole, index) {
      var value = args[Number(index)];
      return value === undefined ? whole : String(value);
    });
  }

  /** Like t, with key + '.one' when count is 1 (and the language has such a form); count is {0}. */
  function plural(key, count) {
    var args = Array.prototype.slice.call(arguments, 1);
    var chosen = count === 1 && has(key + '.one') ? key + '.one' : key;
    return t.apply(null, [chosen].concat(args));
  }

  function apply(root) {
    var scope = root || document;
    Array.prototype.forEach.call(scope.querySelectorAll('[data-i18n]'), function (element) {
      element.textContent = t(element.getAttribute('data-i18n'));
    });
    Array.prototype.forEach.call(scope.querySelectorAll('[data-i18n-placeholder]'), function (element) {
      element.setAttribute('placeholder', t(element.getAttribute('data-i18n-placeholder')));
    });
    Array.prototype.forEach.call(scope.querySelectorAll('[data-i18n-aria-label]'), function (element) {
      element.setAttribute('aria-label', t(element.getAttribute('data-i18n-aria-label')));
    });
  }

  /** Switches to language ('en' or 'zh-CN') without reloading; the server remembers the choice. */
  function switchTo(language) {
    return window.fetch('/console/texts?lang=' + encodeURIComponent(language), {
      headers: { Accept: 'application/json' }, credentials: 'same-origin'
    }).then(function (response) {
      if (!response.ok) {
        throw new Error('HTTP ' + response.status);
      }
      return response.json();
    }).then(function (fresh) {
      texts = fresh;
      document.documentElement.setAttribute('lang', language);
      document.title = t('console.title');
      apply(document);
      document.getElementById('langEn').classList.toggle('active', language === 'en');
      document.getElementById('langZh').classList.toggle('active', language !== 'en');
      window.history.replaceState(null, '', window.location.pathname + '?lang=' + encodeURIComponent(language));
      listeners.forEach(function (listener) {
        listener(language);
      });
    });
  }

  HubConsole.i18n = {
    t: t,
    plural: plural,
    switchTo: switchTo,
    /** listener(language) after every switch: re-render texts that scripts wrote. */
    onChange: function (listener) {
      listeners.push(listener);
    },
    init: function () {
      ['langEn', 'langZh'].forEach(function (id) {
        var link = document.getElementById(id);
        link.addEventListener('click', function (event) {
          event.preventDefault();
          switchTo(link.getAttribute('hreflang')).catch(function () {
            window.location.href = link.href;
          });
        });
      });
    }
  };
})(window, document);
