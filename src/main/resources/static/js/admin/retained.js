/*
 * Retained messages: browse by filter a page at a time (sorted by topic), view as text/JSON/hex
 * (bytes that are not UTF-8 always as hex), delete one or all matching.
 */
(function ($) {
  'use strict';

  var PAGE = 100;
  var shown = [];
  var more = false;

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
      var bytes = Admin.decodeBase64(message.payload);
      var payload = $('<pre class="payload">').text(Admin.payloadAs(bytes, view));
      var size = Admin.cell(message.size);
      if (Admin.isBinary(bytes)) {
        size.append(' ', $('<span class="badge binary">').text(Admin.text('binary')));
      }
      rows.append($('<tr class="retained">').append(Admin.cell(message.topic).addClass('topic'),
        Admin.cell(message.qos), size, $('<td>').append(payload), $('<td>').append(remove)));
    });
    if (!shown.length) {
      rows.append($('<tr>').append($('<td colspan="5" class="hint">').text(Admin.text('none'))));
    }
    $('#more').prop('hidden', !more);
  }

  function page(after) {
    var url = '/api/retained?limit=' + PAGE + '&filter=' + encodeURIComponent($('#filter').val()) +
      (after === undefined ? '' : '&after=' + encodeURIComponent(after));
    return Admin.api('GET', url);
  }

  function browse() {
    return page().then(function (messages) {
      shown = messages;
      more = messages.length === PAGE;
      render();
    }, function (xhr) { note(Admin.errorText(xhr), true); });
  }

  $(function () {
    $('#browse').on('submit', function (event) {
      event.preventDefault();
      note('');
      browse();
    });
    $('#more').on('click', function () {
      page(shown[shown.length - 1].topic).then(function (messages) {
        shown = shown.concat(messages);
        more = messages.length === PAGE;
        render();
      }, function (xhr) { note(Admin.errorText(xhr), true); });
    });
    $('#view').on('change', render);
    $('#deleteAll').on('click', function () {
      var filter = $('#filter').val();
      if (!window.confirm(Admin.text('delete-all-confirm', filter))) {
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
