/*
 * The connection panel: one Paho client at a time, its status line, and automatic reconnect.
 * Other parts listen with HubConsole.connection.on('connected' | 'message' | 'state', fn).
 */
(function (window, $) {
  'use strict';

  var HubConsole = window.HubConsole;
  var t = HubConsole.i18n.t;
  var topics = HubConsole.topics;

  var client = null;
  var listeners = { connected: [], message: [], state: [] };

  function emit(event, a, b) {
    listeners[event].forEach(function (listener) {
      listener(a, b);
    });
  }

  function randomClientId() {
    var alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789';
    var bytes = new Uint8Array(6);
    window.crypto.getRandomValues(bytes);
    var id = 'hub-console-';
    for (var i = 0; i < bytes.length; i++) {
      id += alphabet.charAt(bytes[i] % alphabet.length);
    }
    return id;
  }

  /** The same-origin MQTT over WebSocket endpoint of the server that served this page. */
  function fillDefaults() {
    var secure = window.location.protocol === 'https:';
    $('#host').val(window.location.hostname);
    $('#port').val(window.location.port || (secure ? '443' : '80'));
    $('#path').val(HubConsole.config.webSocketPath || '/mqtt');
    $('#tls').prop('checked', secure);
    $('#clientId').val(randomClientId());
  }

  function setStatus(state, text) {
    $('#connectionStatus').attr('data-state', state).text(text);
    var busy = state === 'connecting' || state === 'connected' || state === 'lost';
    $('#connectionForm').find('input, select, textarea').prop('disabled', busy);
    $('#connect').prop('disabled', busy);
    $('#disconnect').prop('disabled', !busy);
    emit('state', state);
  }

  function showError(key, arg) {
    var $error = $('#connectError');
    if (key) {
      $error.text(t(key, arg)).prop('hidden', false);
    } else {
      $error.text('').prop('hidden', true);
    }
  }

  function wholeNumber(text) {
    return /^\d+$/.test(String(text).trim()) ? Number(text) : NaN;
  }

  /** The settings in the form, or an error as {key, arg}. */
  function readSettings() {
    var host = $.trim($('#host').val());
    if (!host) {
      return { error: 'error.host' };
    }
    var port = wholeNumber($('#port').val());
    if (!(port >= 1 && port <= 65535)) {
      return { error: 'error.port' };
    }
    var keepAlive = wholeNumber($('#keepAlive').val());
    if (!(keepAlive >= 0 && keepAlive <= 65535)) {
      return { error: 'error.keepAlive' };
    }
    var path = $.trim($('#path').val()) || '/';
    if (path.charAt(0) !== '/') {
      path = '/' + path;
    }
    var willTopic = $('#willTopic').val();
    if (willTopic) {
      var willError = topics.validateTopic(willTopic);
      if (willError) {
        return { error: 'error.will', arg: t(willError) };
      }
    }
    return {
      host: host,
      port: port,
      path: path,
      useSSL: $('#tls').prop('checked'),
      clientId: $('#clientId').val(),
      userName: $('#username').val(),
      password: $('#password').val(),
      keepAlive: keepAlive,
      cleanSession: $('#cleanSession').prop('checked'),
      willTopic: willTopic,
      willPayload: $('#willPayload').val(),
      willQos: Number($('#willQos').val()),
      willRetain: $('#willRetain').prop('checked')
    };
  }

  function endpoint(settings) {
    var host = settings.host.indexOf(':') !== -1 && settings.host.charAt(0) !== '[' ? '[' + settings.host + ']' : settings.host;
    return (settings.useSSL ? 'wss://' : 'ws://') + host + ':' + settings.port + settings.path;
  }

  function connect() {
    showError(null);
    var settings = readSettings();
    if (settings.error) {
      showError(settings.error, settings.arg);
      return;
    }
    var paho;
    try {
      paho = new Paho.Client(settings.host, settings.port, settings.path, settings.clientId);
    } catch (e) {
      showError('status.failed', e.message);
      return;
    }
    client = paho;
    var where = endpoint(settings);

    paho.onConnected = function (reconnect) {
      if (paho !== client) {
        return;
      }
      setStatus('connected', t(reconnect ? 'status.reconnected' : 'status.connected', where));
      emit('connected', reconnect);
    };
    paho.onConnectionLost = function (response) {
      if (paho !== client) {
        return;
      }
      if (response.errorCode !== 0) {
        // Paho retries on its own (reconnect: true) and calls onConnected again.
        setStatus('lost', t('status.lost', response.errorMessage));
      } else {
        client = null;
        setStatus('disconnected', t('status.disconnected'));
      }
    };
    paho.onMessageArrived = function (message) {
      if (paho === client) {
        emit('message', message);
      }
    };

    var options = {
      timeout: 10,
      keepAliveInterval: settings.keepAlive,
      cleanSession: settings.cleanSession,
      useSSL: settings.useSSL,
      reconnect: true,
      mqttVersion: 4,
      onFailure: function (response) {
        if (paho !== client) {
          return;
        }
        client = null;
        setStatus('failed', t('status.failed', response.errorMessage));
      }
    };
    if (settings.userName) {
      options.userName = settings.userName;
      if (settings.password) {
        options.password = settings.password;
      }
    }
    if (settings.willTopic) {
      var will = new Paho.Message(settings.willPayload);
      will.destinationName = settings.willTopic;
      will.qos = settings.willQos;
      will.retained = settings.willRetain;
      options.willMessage = will;
    }

    setStatus('connecting', t('status.connecting', where));
    try {
      paho.connect(options);
    } catch (e) {
      client = null;
      setStatus('failed', t('status.failed', e.message));
    }
  }

  function disconnect() {
    var paho = client;
    client = null;
    if (paho) {
      try {
        paho.disconnect();
      } catch (e) {
        // Between two reconnect attempts there is no socket to close; the attempts are cancelled.
      }
    }
    setStatus('disconnected', t('status.disconnected'));
  }

  HubConsole.connection = {
    init: function () {
      fillDefaults();
      $('#connectionForm').on('submit', function (event) {
        event.preventDefault();
        connect();
      });
      $('#disconnect').on('click', disconnect);
    },
    on: function (event, listener) {
      listeners[event].push(listener);
    },
    /** The Paho client while it is connected, otherwise null. */
    connectedClient: function () {
      return client && client.isConnected() ? client : null;
    }
  };
})(window, window.jQuery);
