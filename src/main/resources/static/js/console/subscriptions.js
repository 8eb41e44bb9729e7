/*
 * The subscriptions panel: validates topic filters before they go out, keeps the list of
 * active subscriptions (each with its own colour), and subscribes them all again after an
 * automatic reconnect.
 */
(function (window, $) {
  'use strict';

  var HubConsole = window.HubConsole;
  var t = HubConsole.i18n.t;
  var topics = HubConsole.topics;
  var connection = HubConsole.connection;

  var PALETTE = ['#2563eb', '#db2777', '#059669', '#ea580c', '#7c3aed', '#0891b2', '#ca8a04', '#dc2626',
    '#4f46e5', '#65a30d'];
  var TIMEOUT_SECONDS = 10;

  /** Active subscriptions in the order they were made: {filter, qos, color, el}. */
  var active = [];
  var colorTurn = 0;

  function showError(text) {
    $('#subscribeError').text(text || '').prop('hidden', !text);
  }

  function find(filter) {
    for (var i = 0; i < active.length; i++) {
      if (active[i].filter === filter) {
        return active[i];
      }
    }
    return null;
  }

  function nextColor() {
    var used = active.map(function (sub) {
      return sub.color;
    });
    for (var i = 0; i < PALETTE.length; i++) {
      var candidate = PALETTE[(colorTurn + i) % PALETTE.length];
      if (used.indexOf(candidate) === -1) {
        colorTurn = (colorTurn + i + 1) % PALETTE.length;
        return candidate;
      }
    }
    return PALETTE[colorTurn++ % PALETTE.length];
  }

  function renderEmpty() {
    $('#subscriptionsEmpty').prop('hidden', active.length > 0);
  }

  function createEntry(sub) {
    var li = document.createElement('li');
    li.className = 'subscription';
    li.style.setProperty('--sub-color', sub.color);
    li.setAttribute('data-filter', sub.filter);

    var swatch = document.createElement('span');
    swatch.className = 'swatch';
    swatch.setAttribute('aria-hidden', 'true');

    var filter = document.createElement('span');
    filter.className = 'filter';
    filter.textContent = sub.filter;

    var qos = document.createElement('span');
    qos.className = 'badge qos';

    var button = document.createElement('button');
    button.type = 'button';
    button.className = 'unsubscribe';
    button.setAttribute('data-i18n', 'subscriptions.unsubscribe');
    button.textContent = t('subscriptions.unsubscribe');
    button.addEventListener('click', function () {
      unsubscribe(sub.filter);
    });

    li.appendChild(swatch);
    li.appendChild(filter);
    li.appendChild(qos);
    li.appendChild(button);
    sub.el = li;
    sub.qosEl = qos;
    return li;
  }

  function upsert(filter, qos) {
    var sub = find(filter);
    if (!sub) {
      sub = { filter: filter, color: nextColor() };
      active.push(sub);
      document.getElementById('subscriptions').appendChild(createEntry(sub));
    }
    sub.qos = qos;
    sub.qosEl.textContent = 'QoS ' + qos;
    renderEmpty();
  }

  function drop(filter) {
    var sub = find(filter);
    if (sub) {
      active.splice(active.indexOf(sub), 1);
      $(sub.el).remove();
      renderEmpty();
    }
  }

  function failureText(filter, response) {
    // A SUBACK return code 0x80 reaches onFailure as the array of return codes.
    if ($.isArray(response.errorCode)) {
      return t('subscriptions.refused', filter);
    }
    return t('subscriptions.failed', filter, response.errorMessage);
  }

  function send(client, filter, qos) {
    client.subscribe(filter, {
      qos: qos,
      timeout: TIMEOUT_SECONDS,
      onSuccess: function (response) {
        var granted = response.grantedQos && response.grantedQos.length ? response.grantedQos[0] : qos;
        upsert(filter, granted);
      },
      onFailure: function (response) {
        showError(failureText(filter, response));
      }
    });
  }

  function subscribe() {
    var filter = $('#topicSubscribe').val();
    var qos = Number($('#qosSubscribe').val());
    var error = topics.validateFilter(filter);
    if (error) {
      showError(t(error));
      return;
    }
    var client = connection.connectedClient();
    if (!client) {
      showError(t('error.notConnected'));
      return;
    }
    showError(null);
    send(client, filter, qos);
  }

  function unsubscribe(filter) {
    var client = connection.connectedClient();
    if (!client) {
      drop(filter);
      return;
    }
    client.unsubscribe(filter, {
      timeout: TIMEOUT_SECONDS,
      onSuccess: function () {
        drop(filter);
      },
      onFailure: function (response) {
        showError(t('subscriptions.failed', filter, response.errorMessage));
      }
    });
  }

  /** After an automatic reconnect: the broker may have forgotten the session, so ask again. */
  function resubscribeAll() {
    var client = connection.connectedClient();
    if (!client) {
      return;
    }
    active.forEach(function (sub) {
      send(client, sub.filter, sub.qos);
    });
  }

  HubConsole.subscriptions = {
    init: function () {
      $('#subscribeForm').on('submit', function (event) {
        event.preventDefault();
        subscribe();
      });
      $('#topicSubscribe').on('input', function () {
        showError(null);
      });
      connection.on('connected', function (reconnect) {
        if (reconnect) {
          resubscribeAll();
        }
      });
      connection.on('state', function (state) {
        // After Disconnect the broker no longer delivers anything: nothing is active any more.
        if (state === 'disconnected' || state === 'failed') {
          active.slice().forEach(function (sub) {
            drop(sub.filter);
          });
        }
      });
      renderEmpty();
    },
    /** The first active subscription whose filter matches topic, or null. */
    matching: function (topic) {
      for (var i = 0; i < active.length; i++) {
        if (topics.matches(active[i].filter, topic)) {
          return active[i];
        }
      }
      return null;
    },
    list: function () {
      return active.map(function (sub) {
        return { filter: sub.filter, qos: sub.qos, color: sub.color };
      });
    }
  };
})(window, window.jQuery);
