/* The dashboard: tiles and a chart of the last minutes, fed once a second by Server-Sent Events. */
(function ($) {
  'use strict';

  var MAX_POINTS = 300;
  var times = [], ins = [], outs = [];
  var chart = null;

  function number(value) {
    return Number(value || 0).toLocaleString();
  }

  function show(snapshot) {
    $('#tileClients').text(number(snapshot.clients));
    $('#tileSubscriptions').text(number(snapshot.subscriptions));
    $('#tileMsgIn').text(number(snapshot.messagesInRate));
    $('#tileMsgOut').text(number(snapshot.messagesOutRate));
    $('#tileBytesIn').text(number(snapshot.bytesInRate));
    $('#tileBytesOut').text(number(snapshot.bytesOutRate));
    $('#tileRetained').text(number(snapshot.retained));
    $('#tileConnections').text(number(snapshot.connectionsTotal));
    $('#tileRefused').text(number(snapshot.connectionsRefused));
    $('#tileDenied').text(number(snapshot.deniedTotal));
  }

  /** One tile per bridge: state (with the last error), queue, oldest message, rates. */
  function showBridges(tiles) {
    $('#bridgesSection').prop('hidden', !tiles.length);
    var box = $('#bridgeTiles').empty();
    tiles.forEach(function (tile) {
      var state = tile.enabled ? tile.state.toLowerCase() : 'disabled';
      box.append($('<div class="tile bridge">').attr('data-name', tile.name).attr('data-state', state).append(
        $('<div class="label name">').text(tile.name),
        $('<div class="value state">').text(Admin.text('state-' + state)),
        $('<div class="detail error">').text(tile.lastError || ''),
        $('<div class="detail queue">').text(Admin.text('bridge-queue', number(tile.queueMessages),
          number(tile.queueBytes))),
        $('<div class="detail oldest">').text(Admin.text('bridge-oldest', number(Math.round(tile.oldestAgeSeconds)))),
        $('<div class="detail rates">').text(Admin.text('bridge-rates', number(tile.forwardedPerSecond),
          number(tile.receivedPerSecond)))));
    });
  }

  function add(snapshot) {
    times.push(snapshot.time / 1000);
    ins.push(snapshot.messagesInRate);
    outs.push(snapshot.messagesOutRate);
    while (times.length > MAX_POINTS) {
      times.shift(); ins.shift(); outs.shift();
    }
  }

  function draw() {
    var data = [times, ins, outs];
    if (chart) {
      chart.setData(data);
      return;
    }
    var element = document.getElementById('chart');
    chart = new uPlot({
      width: Math.max(200, element.clientWidth - 16), height: 260,
      series: [{ label: Admin.text('time') }, { label: Admin.text('in'), stroke: '#2563eb', width: 2 },
        { label: Admin.text('out'), stroke: '#15803d', width: 2 }],
      axes: [{}, { size: 60 }],
      scales: { x: { time: true } }
    }, data, element);
  }

  /** The topics with the most messages in the last second. */
  function busiest() {
    Admin.api('GET', '/api/metrics/busiest-topics?limit=10').then(function (rates) {
      var list = $('#busiest').empty();
      rates.forEach(function (rate) {
        list.append($('<li>').append($('<span class="topic">').text(rate.topic),
          $('<span class="rate">').text(Admin.text('per-second', number(rate.messagesPerSecond)))));
      });
      if (!rates.length) {
        list.append($('<li class="hint">').text(Admin.text('busiest-none')));
      }
    });
  }

  function live() {
    var source = new EventSource('/api/metrics/stream');
    source.addEventListener('snapshot', function (event) {
      var snapshot = JSON.parse(event.data);
      $('#liveStatus').text(Admin.text('on')).addClass('on');
      show(snapshot);
      add(snapshot);
      draw();
      busiest();
    });
    source.addEventListener('bridges', function (event) {
      showBridges(JSON.parse(event.data));
    });
    source.onerror = function () {
      $('#liveStatus').text(Admin.text('off')).removeClass('on');
    };
  }

  $(function () {
    Admin.api('GET', '/api/metrics/history').then(function (history) {
      history.forEach(add);
      if (history.length) {
        show(history[history.length - 1]);
      }
      draw();
    }).always(live);
  });
})(jQuery);
