/*
 * The message list. Arrivals are only queued; once per animation frame the queue is rendered
 * in one batch, newest first, and the list is cut back to the newest maxMessages entries.
 * The counter counts every arrival, also those never shown (dropped, paused or filtered).
 * All message data goes into the page as text, never as HTML.
 */
(function (window, $) {
  'use strict';

  var HubConsole = window.HubConsole;
  var t = HubConsole.i18n.t;

  var FOLD_CHARACTERS = 400;
  var FOLD_LINES = 8;

  var maxMessages = Math.max(1, Number(HubConsole.config.maxMessages) || 500);
  var subCount = 0;
  var queue = [];
  var held = [];
  var heldCount = 0;
  var paused = false;
  var scheduled = false;
  var filterText = '';
  var list;

  function pad(number, width) {
    var text = String(number);
    while (text.length < width) {
      text = '0' + text;
    }
    return text;
  }

  function timeOf(date) {
    return pad(date.getHours(), 2) + ':' + pad(date.getMinutes(), 2) + ':' + pad(date.getSeconds(), 2) + '.' +
      pad(date.getMilliseconds(), 3);
  }

  function hex(bytes, limit) {
    var parts = [];
    for (var i = 0; i < Math.min(bytes.length, limit); i++) {
      parts.push(pad(bytes[i].toString(16), 2));
    }
    return parts.join(' ') + (bytes.length > limit ? ' …' : '');
  }

  /** The payload as display text: pretty JSON when it parses, hex when it is not UTF-8. */
  function payloadText(message) {
    var text;
    try {
      text = message.payloadString;
    } catch (e) {
      var bytes = message.payloadBytes;
      return { text: hex(bytes, 2048), note: t('messages.binary', bytes.length), json: false };
    }
    var trimmed = text.trim();
    var first = trimmed.charAt(0);
    if (first === '{' || first === '[') {
      try {
        return { text: JSON.stringify(JSON.parse(trimmed), null, 2), raw: text, json: true };
      } catch (e) {
        // Not JSON after all: show as it is.
      }
    }
    return { text: text, raw: text, json: false };
  }

  function toEntry(message) {
    var payload = payloadText(message);
    var sub = HubConsole.subscriptions.matching(message.destinationName);
    return {
      time: new Date(),
      topic: message.destinationName,
      qos: message.qos,
      retained: message.retained,
      duplicate: message.duplicate,
      payload: payload,
      filter: sub ? sub.filter : null,
      color: sub ? sub.color : null,
      search: (message.destinationName + '\n' + (payload.raw || payload.text)).toLowerCase()
    };
  }

  function span(className, text) {
    var element = document.createElement('span');
    element.className = className;
    element.textContent = text;
    return element;
  }

  function isLong(text) {
    if (text.length > FOLD_CHARACTERS) {
      return true;
    }
    var lines = 1;
    for (var i = 0; i < text.length && lines <= FOLD_LINES; i++) {
      if (text.charCodeAt(i) === 10) {
        lines++;
      }
    }
    return lines > FOLD_LINES;
  }

  function render(entry) {
    var li = document.createElement('li');
    li.className = 'message';
    if (entry.color) {
      li.style.setProperty('--sub-color', entry.color);
    }
    li.title = entry.filter || t('messages.nomatch');

    var head = document.createElement('div');
    head.className = 'message-head';
    head.appendChild(span('time', timeOf(entry.time)));
    head.appendChild(span('topic', entry.topic));
    head.appendChild(span('badge qos', 'QoS ' + entry.qos));
    if (entry.retained) {
      head.appendChild(span('badge retained', t('messages.retained')));
    }
    if (entry.duplicate) {
      head.appendChild(span('badge duplicate', t('messages.duplicate')));
    }
    if (entry.payload.note) {
      head.appendChild(span('badge binary', entry.payload.note));
    }
    li.appendChild(head);

    var payload = document.createElement('pre');
    payload.className = 'payload' + (entry.payload.json ? ' json' : '');
    payload.textContent = entry.payload.text;
    li.appendChild(payload);

    if (isLong(entry.payload.text)) {
      payload.classList.add('folded');
      var more = document.createElement('button');
      more.type = 'button';
      more.className = 'more';
      more.setAttribute('aria-expanded', 'false');
      more.textContent = t('messages.showMore');
      li.appendChild(more);
    }

    li.hubEntry = entry;
    if (filterText && entry.search.indexOf(filterText) === -1) {
      li.hidden = true;
    }
    return li;
  }

  function trim() {
    while (list.childElementCount > maxMessages) {
      list.removeChild(list.lastElementChild);
    }
  }

  function updateNotes() {
    $('#subCount').text(t(subCount === 1 ? 'messages.count.one' : 'messages.count', subCount));
    $('#pausedNote').text(paused ? t('messages.paused', heldCount, maxMessages) : '').prop('hidden', !paused);
    $('#messagesEmpty').prop('hidden', list.childElementCount > 0);
  }

  function flush() {
    scheduled = false;
    if (!paused && queue.length) {
      var batch = queue.length > maxMessages ? queue.slice(queue.length - maxMessages) : queue;
      queue = [];
      var fragment = document.createDocumentFragment();
      for (var i = batch.length - 1; i >= 0; i--) {
        fragment.appendChild(render(batch[i]));
      }
      list.insertBefore(fragment, list.firstChild);
      trim();
    }
    updateNotes();
  }

  function schedule() {
    if (scheduled) {
      return;
    }
    scheduled = true;
    // Hidden tabs get no animation frames; a timer keeps the counter going there.
    if (document.hidden) {
      window.setTimeout(flush, 250);
    } else {
      window.requestAnimationFrame(flush);
    }
  }

  /** Keeps at most the newest maxMessages items of a waiting array. */
  function bound(items) {
    if (items.length > 2 * maxMessages) {
      items.splice(0, items.length - maxMessages);
    }
  }

  function add(message) {
    subCount++;
    var entry = toEntry(message);
    if (paused) {
      heldCount++;
      held.push(entry);
      bound(held);
    } else {
      queue.push(entry);
      bound(queue);
    }
    schedule();
  }

  function setPaused(value) {
    paused = value;
    $('#pause').text(t(paused ? 'messages.resume' : 'messages.pause')).attr('aria-pressed', String(paused))
      .toggleClass('active', paused);
    if (!paused) {
      queue = queue.concat(held);
      bound(queue);
      held = [];
      heldCount = 0;
    }
    schedule();
  }

  function clear() {
    queue = [];
    held = [];
    heldCount = 0;
    list.textContent = '';
    schedule();
  }

  function applyFilter(text) {
    filterText = text.trim().toLowerCase();
    var items = list.children;
    for (var i = 0; i < items.length; i++) {
      var entry = items[i].hubEntry;
      items[i].hidden = !!filterText && entry.search.indexOf(filterText) === -1;
    }
  }

  HubConsole.messages = {
    init: function () {
      list = document.getElementById('subMessage');
      HubConsole.connection.on('message', add);
      $('#pause').on('click', function () {
        setPaused(!paused);
      });
      $('#clear').on('click', clear);
      $('#filterMessages').on('input', function () {
        applyFilter(this.value);
      });
      $(list).on('click', 'button.more', function () {
        var payload = $(this).siblings('pre.payload');
        var expanded = payload.toggleClass('folded').hasClass('folded') === false;
        $(this).text(t(expanded ? 'messages.showLess' : 'messages.showMore')).attr('aria-expanded', String(expanded));
      });
      updateNotes();
    },
    count: function () {
      return subCount;
    }
  };
})(window, window.jQuery);
