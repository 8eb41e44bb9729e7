/* Starts the console once the page has loaded. */
(function (window, $) {
  'use strict';

  $(function () {
    var HubConsole = window.HubConsole;
    HubConsole.connection.init();
    HubConsole.subscriptions.init();
    HubConsole.messages.init();
    HubConsole.publish.init();
    $('html').addClass('console-ready');
  });
})(window, window.jQuery);
