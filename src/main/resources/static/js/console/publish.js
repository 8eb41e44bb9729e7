/*
 * The publish form: #topicSend (a topic name, no wildcards), the payload as text, JSON (checked
 * before sending) or hex bytes, QoS (0 by default) and retain; and saved messages kept in this
 * browser's localStorage, each sent again with one click.
 */
(function (window, $) {
  'use strict';

  var HubConsole = window.HubConsole;
  var t = HubConsole.i18n.t;
  var payloads = window.HubPayload;
  var STORE = 'mqtthub.savedMessages';
  var MAX_SAVED = 50;
  var noteTimer = null;

  function showError(text) {
    $('#publishError').text(text || '').prop('hidden', !text);
  }

  function showNote(text) {
    window.clearTimeout(noteTimer);
    $('#publishNote').text(text).prop('hidden', false);
    noteTimer = window.setTimeout(function () {
      $('#publishNote').prop('hidden', true);
    }, 3000);
  }

  /** The payload to send for the given text and format, or {error}. */
  function encode(text, format) {
    if (format === 'hex') {
      var bytes = payloads.parseHex(text);
      return bytes ? { payload: bytes } : { error: t('error.hex') };
    }
    if (format === 'json') {
      try {
        JSON.parse(text);
      } catch (e) {
        return { error: t('error.json', e.message) };
      }
    }
    return { payload: text };
  }

  function publish(message) {
    var error = HubConsole.topics.validateTopic(message.topic);
    if (error) {
      showError(t(error));
      return;
    }
    var encoded = encode(message.payload, message.format);
    if (encoded.error) {
      showError(encoded.error);
      return;
    }
    var client = HubConsole.connection.connectedClient();
    if (!client) {
      showError(t('error.notConnected'));
      return;
    }
    showError(null);
    var paho = new Paho.Message(encoded.payload);
    paho.destinationName = message.topic;
    paho.qos = message.qos;
    paho.retained = message.retain;
    try {
      client.send(paho);
    } catch (e) {
      showError(e.message);
      return;
    }
    showNote(t('publish.sent', message.topic));
  }

  function fromForm() {
    return {
      topic: $('#topicSend').val(),
      payload: $('#textSend').val(),
      format: $('#formatSend').val(),
      qos: Number($('#qosSend').val()),
      retain: $('#retainSend').prop('checked')
    };
  }

  function loadSaved() {
    try {
      var saved = JSON.parse(window.localStorage.getItem(STORE) || '[]');
      return Array.isArray(saved) ? saved.slice(0, MAX_SAVED) : [];
    } catch (e) {
      return [];
    }
  }

  function storeSaved(saved) {
    try {
      window.localStorage.setItem(STORE, JSON.stringify(saved.slice(0, MAX_SAVED)));
    } catch (e) {
      showError(e.message);
    }
    renderSaved();
  }

  function button(key, onClick) {
    var element = document.createElement('button');
    element.type = 'button';
    element.setAttribute('data-i18n', key);
    element.textContent = t(key);
    element.addEventListener('click', onClick);
    return element;
  }

  function renderSaved() {
    var saved = loadSaved();
    var list = document.getElementById('savedMessages');
    list.textContent = '';
    saved.forEach(function (message, index) {
      var li = document.createElement('li');
      var label = document.createElement('span');
      label.className = 'label';
      label.textContent = message.topic + ' · ' + (message.format || 'text') + ' · QoS ' + message.qos +
        (message.retain ? ' · retain' : '');
      label.title = message.payload;
      var send = button('saved.send', function () {
        publish(message);
      });
      send.className = 'send-saved';
      var remove = button('saved.delete', function () {
        var now = loadSaved();
        now.splice(index, 1);
        storeSaved(now);
      });
      li.appendChild(label);
      li.appendChild(send);
      li.appendChild(remove);
      list.appendChild(li);
    });
    $('#savedEmpty').prop('hidden', saved.length > 0);
  }

  HubConsole.publish = {
    init: function () {
      $('#publishForm').on('submit', function (event) {
        event.preventDefault();
        publish(fromForm());
      });
      $('#topicSend, #textSend, #formatSend').on('input change', function () {
        showError(null);
      });
      $('#saveMessage').on('click', function () {
        var message = fromForm();
        var error = HubConsole.topics.validateTopic(message.topic) || encode(message.payload, message.format).error;
        if (error) {
          showError(error.indexOf('error.') === 0 ? t(error) : error);
          return;
        }
        var saved = loadSaved().filter(function (other) {
          return other.topic !== message.topic || other.payload !== message.payload;
        });
        saved.unshift(message);
        storeSaved(saved);
      });
      renderSaved();
    }
  };
})(window, window.jQuery);
