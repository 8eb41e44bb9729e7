/* Bridges: state and figures of each bridge, refreshed every two seconds; pause and resume. */
(function ($) {
  'use strict';

  var REFRESH_MS = 2000;

  function note(message, problem) {
    $('#note').toggleClass('problem', !!problem).toggleClass('notice', !problem).text(message);
  }

  function stateText(bridge) {
    if (!bridge.enabled) {
      return Admin.text('disabled');
    }
    var state = bridge.state.toLowerCase().replace('_', ' ');
    return bridge.lastError ? state + ': ' + bridge.lastError : state;
  }

  function rulesList(bridge) {
    var list = $('<ul class="rules">');
    bridge.topics.forEach(function (rule) {
      list.append($('<li>').text(rule.direction + ' ' + rule.localPrefix + rule.filter + ' \u2192 ' +
        rule.remotePrefix + rule.filter + ' (QoS ' + rule.qos + ')'));
    });
    return list;
  }

  function action(bridge) {
    if (!bridge.enabled) {
      return $('<td>');
    }
    var verb = bridge.paused ? 'resume' : 'pause';
    var button = $('<button type="button">').addClass(verb).text(Admin.text(verb)).on('click', function () {
      Admin.api('POST', '/api/bridges/' + encodeURIComponent(bridge.name) + '/' + verb).then(function () {
        note('');
        refresh();
      }, function (xhr) { note(Admin.errorText(xhr), true); });
    });
    return $('<td>').append(button);
  }

  function render(bridges) {
    var rows = $('#bridgeRows').empty();
    bridges.forEach(function (bridge) {
      var f = bridge.figures;
      rows.append($('<tr class="bridge">').attr('data-name', bridge.name).append(
        Admin.cell(bridge.name).addClass('name'),
        Admin.cell(stateText(bridge)).addClass('state'),
        Admin.cell(bridge.connectedAddress || bridge.addresses.join(', ')),
        $('<td>').append(rulesList(bridge)),
        Admin.cell(f.queueMessages + ' / ' + f.queueBytes).addClass('queue'),
        Admin.cell(f.oldestAgeSeconds.toFixed(1)),
        Admin.cell(f.enqueued), Admin.cell(f.forwarded), Admin.cell(f.dropped),
        Admin.cell(f.inFlight), Admin.cell(f.received),
        action(bridge)));
    });
    if (!bridges.length) {
      rows.append($('<tr>').append($('<td colspan="12" class="hint">').text(Admin.text('none'))));
    }
  }

  function refresh() {
    return Admin.api('GET', '/api/bridges').then(render, function (xhr) { note(Admin.errorText(xhr), true); });
  }

  $(function () {
    refresh();
    window.setInterval(refresh, REFRESH_MS);
  });
})(jQuery);
