/*
 * Export of the message list as a file, oldest first: JSON (an array of objects) or CSV with the
 * columns time, topic, qos, retain, encoding, payload. Payloads that are valid UTF-8 are written
 * as text (encoding "utf-8"), any other as Base64 (encoding "base64").
 */
(function (window, $) {
  'use strict';

  var HubConsole = window.HubConsole;
  var payloads = window.HubPayload;

  function rows() {
    return HubConsole.messages.entries().map(function (entry) {
      var text = payloads.utf8(entry.bytes);
      return {
        time: entry.time.toISOString(),
        topic: entry.topic,
        qos: entry.qos,
        retain: !!entry.retained,
        encoding: text === null ? 'base64' : 'utf-8',
        payload: text === null ? payloads.toBase64(entry.bytes) : text
      };
    });
  }

  function csvField(value) {
    var text = String(value);
    return /[",\r\n]/.test(text) ? '"' + text.replace(/"/g, '""') + '"' : text;
  }

  function asCsv(items) {
    var columns = ['time', 'topic', 'qos', 'retain', 'encoding', 'payload'];
    var lines = [columns.join(',')];
    items.forEach(function (row) {
      lines.push(columns.map(function (column) {
        return csvField(row[column]);
      }).join(','));
    });
    return lines.join('\r\n') + '\r\n';
  }

  function stamp() {
    return new Date().toISOString().replace(/[-:]/g, '').replace(/\..*/, '').replace('T', '-');
  }

  function download(content, type, extension) {
    var url = window.URL.createObjectURL(new window.Blob([content], { type: type }));
    var link = document.createElement('a');
    link.href = url;
    link.download = 'mqtt-messages-' + stamp() + '.' + extension;
    document.body.appendChild(link);
    link.click();
    link.remove();
    window.setTimeout(function () {
      window.URL.revokeObjectURL(url);
    }, 10000);
  }

  HubConsole.exporter = {
    json: function () {
      return JSON.stringify(rows(), null, 2);
    },
    csv: function () {
      return asCsv(rows());
    },
    init: function () {
      $('#exportJson').on('click', function () {
        download(HubConsole.exporter.json(), 'application/json', 'json');
      });
      $('#exportCsv').on('click', function () {
        download(HubConsole.exporter.csv(), 'text/csv;charset=utf-8', 'csv');
      });
    }
  };
})(window, window.jQuery);
