/*
 * The page's settings and texts, which the server writes as a JSON data block (not as inline
 * script, which the Content-Security-Policy forbids). Loaded before every other console script.
 */
(function (window, document) {
  'use strict';

  var block = document.getElementById('hubConsoleConfig');
  window.HubConsoleConfig = block ? JSON.parse(block.textContent) : {};
})(window, document);
