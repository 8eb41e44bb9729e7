/* Retained messages: browse by filter, view as text/JSON/hex, delete one or all matching. */
(function ($) {
  'use strict';

  var shown = [];

  function note(message, problem) {
    $('#note').toggleClass('problem', !!problem).toggleClass('notice', !problem).text(message);
  }

  function render() {
    var view = $('#view').val();
    var rows = $('#retainedRows').empty();
    shown.forEach(function (message) {
      var remove = $('<button type="button" class="danger delete">').text(Admin.text('delete')).on('click', function () {
        if (!window.confirm(Admin.text('delete-confirm', message.topic))) {
          return;
        }
        Admin.api('DELETE', '/api/retained?topic=' + encodeURIComponent(message.topic)).then(function (answer) {
          note(Admin.text('deleted', answer.deleted));
          browse();
        }, function (xhr) { note(Admin.errorText(xhr), true); });
      });
      var payload = $('<pre class="payload">').text(Admin.payloadAs(Admin.decodeBase64(message.payload), view));
      rows.append($('<tr class="retained">').append(Admin.cell(message.topic).addClass('topic'),
        Admin.cell(message.qos), Admin.cell(message.size), $('<td>').append(payload), $('<td>').append(remove)));
    });
    if (!shown.length) {
      rows.append($('<tr>').append($('<td colspan="5" class="hint">').text(Admin.text('none'))));
    }
  }

  function browse() {
    return Admin.api('GET', '/api/retained?filter=' + encodeURIComponent($('#filter').val())).then(function (messages) {
      shown = messages;
      render();
    }, function (xhr) { note(Admin.errorText(xhr), true); });
  }

  $(function () {
    $('#browse').on('submit', function (event) {
      event.preventDefault();
      note('');
      browse();
    });
    $('#view').on('change', render);
    $('#deleteAll').on('click', function () {
      var filter = $('#filter').val();
      if (!window.confirm(Admin.text('delete-all-confirm', shown.length, filter))) {
        return;
      }
      Admin.api('DELETE', '/api/retained?filter=' + encodeURIComponent(filter)).then(function (answer) {
        note(Admin.text('deleted', answer.deleted));
        browse();
      }, function (xhr) { note(Admin.errorText(xhr), true); });
    });
    browse();
  });
})(jQuery);
