/*
 * The connection panel: one Paho client at a time, its status line in words, and reconnecting
 * after a lost connection. Other parts listen with HubConsole.connection.on('connected' |
 * 'message' | 'state', fn).
 *
 * Reconnecting is done here rather than by Paho, whose back-off grows to minutes: attempts come
 * 1 s and then every 2 s after a loss, so the page is back at most about 2 s after the server
 * is, with a countdown and a "Retry now" button meanwhile.
 */
(function (window, $) {
  'use strict';

  var HubConsole = window.HubConsole;
  var t = HubConsole.i18n.t;
  var topics = HubConsole.topics;

  var RETRY_DELAYS_SECONDS = [1, 2];
  var FIRST_TIMEOUT_SECONDS = 10;
  var RETRY_TIMEOUT_SECONDS = 3;
  /** CONNACK codes that another attempt cannot cure: protocol, client id, credentials, authorisation. */
  var FINAL_CONNACK = [1, 2, 4, 5];

  var client = null;
  var settings = null;
  var listeners = { connected: [], message: [], state: [] };
  /** What the status line says: {state, where, reconnected, reason: {key, args}, due, attempting}. */
  var view = { state: 'disconnected' };
  var formError = null;
  var attempts = 0;
  var retryTimer = null;
  var tickTimer = null;

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

  function reasonText(reason) {
    return reason ? t.apply(null, [reason.key].concat(reason.args || [])) : '';
  }

  function render() {
    var text;
    switch (view.state) {
      case 'connecting':
        text = t('status.connecting', view.where);
        break;
      case 'connected':
        text = t(view.reconnected ? 'status.reconnected' : 'status.connected', view.where);
        break;
      case 'lost':
        text = view.attempting ? t('status.retrying', reasonText(view.reason))
          : t('status.lost', reasonText(view.reason), Math.max(1, Math.ceil((view.due - Date.now()) / 1000)));
        break;
      case 'failed':
        text = t('status.failed', reasonText(view.reason));
        break;
      default:
        text = t('status.disconnected');
    }
    $('#connectionStatus').attr('data-state', view.state).text(text);
    var error = formError ? reasonText(formError)
      : (view.state === 'failed' || view.state === 'lost') ? reasonText(view.reason) : '';
    $('#connectError').text(error).prop('hidden', !error);
    $('#retryNow').prop('hidden', view.state !== 'lost');
  }

  function setView(next) {
    var changed = next.state !== view.state;
    view = next;
    var busy = view.state === 'connecting' || view.state === 'connected' || view.state === 'lost';
    $('#connectionForm').find('input, select, textarea').not('#profileName, #rememberPassword, #profileSelect')
      .prop('disabled', busy);
    $('#connect').prop('disabled', busy);
    $('#disconnect').prop('disabled', !busy);
    render();
    if (changed) {
      emit('state', view.state);
    }
  }

  function wholeNumber(text) {
    return /^\d+$/.test(String(text).trim()) ? Number(text) : NaN;
  }

  /** The settings in the form, or {error: {key, args}}. */
  function readSettings() {
    var host = $.trim($('#host').val());
    if (!host) {
      return { error: { key: 'error.host' } };
    }
    var port = wholeNumber($('#port').val());
    if (!(port >= 1 && port <= 65535)) {
      return { error: { key: 'error.port' } };
    }
    var keepAlive = wholeNumber($('#keepAlive').val());
    if (!(keepAlive >= 0 && keepAlive <= 65535)) {
      return { error: { key: 'error.keepAlive' } };
    }
    var path = $.trim($('#path').val()) || '/';
    if (path.charAt(0) !== '/') {
      path = '/' + path;
    }
    var willTopic = $('#willTopic').val();
    if (willTopic) {
      var willError = topics.validateTopic(willTopic);
      if (willError) {
        return { error: { key: 'error.will', args: [t(willError)] } };
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

  function endpoint(s) {
    var host = s.host.indexOf(':') !== -1 && s.host.charAt(0) !== '[' ? '[' + s.host + ']' : s.host;
    return (s.useSSL ? 'wss://' : 'ws://') + host + ':' + s.port + s.path;
  }

  /** A Paho failure as a sentence: {key, args}, and whether trying again could help. */
  function describe(response, connected) {
    var code = response && response.errorCode;
    var message = (response && response.errorMessage) || '';
    if (code === 6) {
      var match = /code:\s*(\d+)/.exec(message);
      var connack = match ? Number(match[1]) : 3;
      return { key: 'error.connack.' + connack, final: FINAL_CONNACK.indexOf(connack) !== -1 };
    }
    if (code === 1) {
      return { key: 'error.timeout' };
    }
    if (connected) {
      return { key: 'error.lost' };
    }
    return { key: 'error.unreachable', args: [endpoint(settings)] };
  }

  function stopRetrying() {
    window.clearTimeout(retryTimer);
    window.clearInterval(tickTimer);
    retryTimer = null;
    tickTimer = null;
  }

  function scheduleRetry(reason) {
    stopRetrying();
    var delay = RETRY_DELAYS_SECONDS[Math.min(attempts, RETRY_DELAYS_SECONDS.length - 1)];
    attempts++;
    setView({ state: 'lost', where: endpoint(settings), reason: reason, due: Date.now() + delay * 1000 });
    tickTimer = window.setInterval(render, 250);
    retryTimer = window.setTimeout(retryNow, delay * 1000);
  }

  function retryNow() {
    if (!settings || view.state !== 'lost') {
      return;
    }
    stopRetrying();
    setView({ state: 'lost', where: view.where, reason: view.reason, attempting: true });
    open(true);
  }

  function open(reconnecting) {
    var paho;
    try {
      paho = new Paho.Client(settings.host, settings.port, settings.path, settings.clientId);
    } catch (e) {
      setView({ state: 'failed', reason: { key: 'error.unreachable', args: [endpoint(settings)] } });
      return;
    }
    client = paho;
    var connected = false;

    paho.onConnectionLost = function (response) {
      if (paho !== client) {
        return;
      }
      if (response.errorCode !== 0) {
        scheduleRetry(describe(response, true));
      } else {
        client = null;
        setView({ state: 'disconnected' });
      }
    };
    paho.onMessageArrived = function (message) {
      if (paho === client) {
        emit('message', message);
      }
    };

    var options = {
      timeout: reconnecting ? RETRY_TIMEOUT_SECONDS : FIRST_TIMEOUT_SECONDS,
      keepAliveInterval: settings.keepAlive,
      cleanSession: settings.cleanSession,
      useSSL: settings.useSSL,
      reconnect: false,
      mqttVersion: 4,
      onSuccess: function () {
        if (paho !== client) {
          return;
        }
        connected = true;
        attempts = 0;
        setView({ state: 'connected', where: endpoint(settings), reconnected: reconnecting });
        emit('connected', reconnecting);
      },
      onFailure: function (response) {
        if (paho !== client) {
          return;
        }
        var reason = describe(response, connected);
        if (reconnecting && !reason.final) {
          scheduleRetry(reason);
        } else {
          client = null;
          setView({ state: 'failed', reason: reason });
        }
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
    try {
      paho.connect(options);
    } catch (e) {
      client = null;
      setView({ state: 'failed', reason: { key: 'error.unreachable', args: [endpoint(settings)] } });
    }
  }

  function connect() {
    formError = null;
    var read = readSettings();
    if (read.error) {
      formError = read.error;
      render();
      return;
    }
    settings = read;
    attempts = 0;
    setView({ state: 'connecting', where: endpoint(settings) });
    open(false);
  }

  function disconnect() {
    stopRetrying();
    var paho = client;
    client = null;
    if (paho) {
      try {
        paho.disconnect();
      } catch (e) {
        // Not connected (between attempts): nothing to close.
      }
    }
    setView({ state: 'disconnected' });
  }

  HubConsole.connection = {
    init: function () {
      fillDefaults();
      $('#connectionForm').on('submit', function (event) {
        event.preventDefault();
        connect();
      });
      $('#disconnect').on('click', disconnect);
      $('#retryNow').on('click', retryNow);
      $('#connectionForm').on('input', 'input', function () {
        if (formError) {
          formError = null;
          render();
        }
      });
      HubConsole.i18n.onChange(render);
    },
    on: function (event, listener) {
      listeners[event].push(listener);
    },
    /** The Paho client while it is connected, otherwise null. */
    connectedClient: function () {
      return client && client.isConnected() ? client : null;
    },
    state: function () {
      return view.state;
    }
  };
})(window, window.jQuery);
