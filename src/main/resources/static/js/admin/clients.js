/* The connected clients, refreshed every two seconds; search, disconnect and delete their sessions. */
(function ($) {
  'use strict';

  var timer = null;

  function row(client) {
    var kick = $('<button type="button" class="danger kick">').text(Admin.text('kick')).on('click', function () {
      if (!window.confirm(Admin.text('kick-confirm', client.clientId))) {
        return;
      }
      Admin.api('DELETE', '/api/clients?clientId=' + encodeURIComponent(client.clientId)).then(function () {
        $('#note').removeClass('problem').addClass('notice').text(Admin.text('kicked', client.clientId));
        refresh();
      }, function (xhr) {
        $('#note').removeClass('notice').addClass('problem').text(Admin.errorText(xhr));
      });
    });
    var forget = $('<button type="button" class="danger delete-session">').text(Admin.text('delete-session'))
      .on('click', function () {
        if (!window.confirm(Admin.text('delete-session-confirm', client.clientId))) {
          return;
        }
        Admin.api('DELETE', '/api/clients/sessions?clientId=' + encodeURIComponent(client.clientId)).then(function () {
          $('#note').removeClass('problem').addClass('notice').text(Admin.text('session-deleted', client.clientId));
          refresh();
        }, function (xhr) {
          $('#note').removeClass('notice').addClass('problem').text(Admin.errorText(xhr));
        });
      });
    return $('<tr class="client">').attr('data-connection', client.connection).append(
      Admin.cell(client.clientId).addClass('client-id'),
      Admin.cell(client.username).addClass('username'),
      Admin.cell(client.remoteAddress).addClass('address'),
      Admin.cell(client.protocolVersion),
      Admin.cell(client.keepAliveSeconds),
      Admin.cell(client.cleanSession ? '✓' : '✗'),
      Admin.cell(Admin.time(client.connectedAt)),
      Admin.cell(client.subscriptions.join('\n')).addClass('subs').css('white-space', 'pre'),
      Admin.cell(client.messagesIn).addClass('messages-in'),
      Admin.cell(client.messagesOut).addClass('messages-out'),
      $('<td>').append(kick, ' ', forget));
  }

  function refresh() {
    var search = $('#search').val();
    Admin.api('GET', '/api/clients' + (search ? '?search=' + encodeURIComponent(search) : '')).then(function (clients) {
      var rows = $('#clientRows').empty();
      clients.forEach(function (client) {
        rows.append(row(client));
      });
      if (!clients.length) {
        rows.append($('<tr>').append($('<td colspan="11" class="hint">').text(Admin.text('none'))));
      }
      $('#clientCount').text(clients.length);
    });
  }

  $(function () {
    $('#search').on('input', function () {
      clearTimeout(timer);
      timer = setTimeout(refresh, 200);
    });
    refresh();
    setInterval(refresh, 2000);
  });
})(jQuery);
