/* Starts the console once the page has loaded, and switches sections on phones. */
(function (window, $) {
  'use strict';

  function showTab(name) {
    document.body.setAttribute('data-tab', name);
    $('.tabs button').each(function () {
      $(this).attr('aria-pressed', String($(this).attr('data-tab') === name));
    });
  }

  $(function () {
    var HubConsole = window.HubConsole;
    HubConsole.i18n.init();
    HubConsole.connection.init();
    HubConsole.profiles.init();
    HubConsole.subscriptions.init();
    HubConsole.messages.init();
    HubConsole.exporter.init();
    HubConsole.chart.init();
    HubConsole.publish.init();
    $('.tabs').on('click', 'button', function () {
      showTab($(this).attr('data-tab'));
    });
    HubConsole.showTab = showTab;
    $('html').addClass('console-ready');
  });
})(window, window.jQuery);
