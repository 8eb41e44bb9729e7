/*
 * The publish form: #topicSend (a topic name, no wildcards), #textSend as the payload, QoS
 * (0 by default) and retain.
 */
(function (window, $) {
  'use strict';

  var HubConsole = window.HubConsole;
  var t = HubConsole.i18n.t;
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

  function send() {
    var topic = $('#topicSend').val();
    var error = HubConsole.topics.validateTopic(topic);
    if (error) {
      showError(t(error));
      return;
    }
    var client = HubConsole.connection.connectedClient();
    if (!client) {
      showError(t('error.notConnected'));
      return;
    }
    showError(null);
    var message = new Paho.Message($('#textSend').val());
    message.destinationName = topic;
    message.qos = Number($('#qosSend').val());
    message.retained = $('#retainSend').prop('checked');
    try {
      client.send(message);
    } catch (e) {
      showError(e.message);
      return;
    }
    showNote(t('publish.sent', topic));
  }

  HubConsole.publish = {
    init: function () {
      $('#publishForm').on('submit', function (event) {
        event.preventDefault();
        send();
      });
      $('#topicSend').on('input', function () {
        showError(null);
      });
    }
  };
})(window, window.jQuery);
