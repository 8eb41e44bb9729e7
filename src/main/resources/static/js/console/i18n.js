/*
 * Texts of the page in the language the server chose. The server hands them over in
 * window.HubConsoleConfig.texts; {0}, {1}, ... are filled in here.
 */
(function (window) {
  'use strict';

  var HubConsole = window.HubConsole = window.HubConsole || {};
  var config = window.HubConsoleConfig || {};
  var texts = config.texts || {};

  HubConsole.config = config;

  HubConsole.i18n = {
    /** The text for key with each {n} replaced by the n-th further argument. */
    t: function (key) {
      var args = Array.prototype.slice.call(arguments, 1);
      var text = Object.prototype.hasOwnProperty.call(texts, key) ? texts[key] : key;
      return String(text).replace(/\{(\d+)\}/g, function (whole, index) {
        var value = args[Number(index)];
        return value === undefined ? whole : String(value);
      });
    }
  };
})(window);
