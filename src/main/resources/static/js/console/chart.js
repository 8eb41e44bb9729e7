/*
 * A live chart of one topic's numbers: the payload itself as a number, or a field of a JSON
 * payload (a.b.c for nested objects, a.0 for arrays). The newest MAX_POINTS values are kept;
 * the chart is redrawn at most once per animation frame.
 */
(function (window, $) {
  'use strict';

  var HubConsole = window.HubConsole;
  var i18n = HubConsole.i18n;
  var payloads = window.HubPayload;
  var MAX_POINTS = 500;

  var topic = null;
  var path = [];
  var times = [];
  var values = [];
  var plot = null;
  var scheduled = false;
  var missed = false;

  function numberIn(bytes) {
    var text = payloads.utf8(bytes);
    if (text === null) {
      return NaN;
    }
    if (!path.length) {
      return text.trim() === '' ? NaN : Number(text);
    }
    var value;
    try {
      value = JSON.parse(text);
    } catch (e) {
      return NaN;
    }
    for (var i = 0; i < path.length && value !== null && typeof value === 'object'; i++) {
      value = value[path[i]];
    }
    return typeof value === 'number' ? value : (typeof value === 'string' && value.trim() ? Number(value) : NaN);
  }

  function draw() {
    scheduled = false;
    var element = document.getElementById('chart');
    if (!plot) {
      plot = new window.uPlot({
        width: Math.max(200, element.clientWidth - 16), height: 220,
        series: [{ label: i18n.t('chart.time') }, { label: topic, stroke: '#2563eb', width: 2 }],
        scales: { x: { time: true } }
      }, [times, values], element);
    } else {
      plot.setData([times, values]);
    }
    $('#chartNote').text(missed ? i18n.t('chart.notNumber', topic)
      : i18n.plural('chart.points', values.length, topic));
  }

  function schedule() {
    if (!scheduled) {
      scheduled = true;
      window.requestAnimationFrame(draw);
    }
  }

  function add(message) {
    if (topic === null || message.destinationName !== topic) {
      return;
    }
    var value = numberIn(message.payloadBytes);
    missed = !isFinite(value);
    if (!missed) {
      times.push(Date.now() / 1000);
      values.push(value);
      if (times.length > MAX_POINTS) {
        times.shift();
        values.shift();
      }
    }
    schedule();
  }

  function start() {
    topic = $.trim($('#chartTopic').val()) || null;
    var field = $.trim($('#chartField').val());
    path = field ? field.split('.') : [];
    times = [];
    values = [];
    missed = false;
    if (plot) {
      plot.destroy();
      plot = null;
    }
    if (topic !== null) {
      schedule();
    } else {
      $('#chartNote').text('');
    }
  }

  HubConsole.chart = {
    init: function () {
      HubConsole.connection.on('message', add);
      $('#chartForm').on('submit', function (event) {
        event.preventDefault();
        start();
      });
      i18n.onChange(function () {
        if (topic !== null) {
          schedule();
        }
      });
    },
    /** The values charted so far, oldest first. */
    values: function () {
      return values.slice();
    }
  };
})(window, window.jQuery);
