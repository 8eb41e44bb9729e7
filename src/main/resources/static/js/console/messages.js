/*
 * The message list. Arrivals are only counted and kept (no decoding, no DOM work); once per
 * animation frame at most RENDER_BATCH of them are rendered, newest first, and the list is cut
 * back to the newest maxMessages entries. So a burst of thousands of messages costs a few small
 * frames instead of one long one. Payloads are decoded and pretty-printed only when rendered.
 * The counter counts every arrival, also those never shown (dropped, paused or filtered).
 * All message data goes into the page as text, never as HTML.
 */
(function (window, $) {
  'use strict';

  var HubConsole = window.HubConsole;
  var i18n = HubConsole.i18n;
  var t = i18n.t;
  var payloads = window.HubPayload;

  var FOLD_CHARACTERS = 400;
  var FOLD_LINES = 8;
  var RENDER_BATCH = 10;
  /** Rendering stops for this frame once it took this long (ms), whatever is left. */
  var FRAME_BUDGET = 6;
  var HEX_LIMIT = 2048;

  var maxMessages = Math.max(1, Number(HubConsole.config.maxMessages) || 500);
  var subCount = 0;
  /** Received entries, oldest first; the newest maxMessages of them are the list. */
  var kept = [];
  /** Index in kept of the oldest entry not rendered yet. */
  var nextToRender = 0;
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

  /** The payload as shown: {text, json, binary, empty}; decoded once, when first needed. */
  function view(entry) {
    if (entry.view) {
      return entry.view;
    }
    var bytes = entry.bytes;
    var text = payloads.utf8(bytes);
    if (bytes.length === 0) {
      entry.view = { text: '', empty: true };
    } else if (text === null) {
      entry.view = { text: payloads.hex(bytes, HEX_LIMIT), binary: true };
    } else {
      var pretty = payloads.prettyJson(text);
      entry.view = { text: pretty === null ? text : pretty, raw: text, json: pretty !== null };
    }
    return entry.view;
  }

  function searchText(entry) {
    if (entry.search === undefined) {
      var shown = view(entry);
      entry.search = (entry.topic + '\n' + (shown.raw || shown.text)).toLowerCase();
    }
    return entry.search;
  }

  function matchesFilter(entry) {
    return !filterText || searchText(entry).indexOf(filterText) !== -1;
  }

  function span(className, text, key) {
    var element = document.createElement('span');
    element.className = className;
    element.textContent = text;
    if (key) {
      element.setAttribute('data-i18n', key);
    }
    return element;
  }

  function sizeText(bytes) {
    return i18n.plural('messages.bytes', bytes);
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
    var sub = HubConsole.subscriptions.matching(entry.topic);
    var shown = view(entry);
    var li = document.createElement('li');
    li.className = 'message';
    if (sub) {
      li.style.setProperty('--sub-color', sub.color);
    }
    li.title = sub ? sub.filter : t('messages.nomatch');

    var head = document.createElement('div');
    head.className = 'message-head';
    head.appendChild(span('time', timeOf(entry.time)));
    head.appendChild(span('topic', entry.topic));
    head.appendChild(span('badge qos', 'QoS ' + entry.qos));
    if (entry.retained) {
      head.appendChild(span('badge retained', t('messages.retained'), 'messages.retained'));
    }
    if (entry.duplicate) {
      head.appendChild(span('badge duplicate', t('messages.duplicate'), 'messages.duplicate'));
    }
    if (shown.binary) {
      head.appendChild(span('badge binary', t('messages.binary'), 'messages.binary'));
    }
    var size = span('size', sizeText(entry.bytes.length));
    size.setAttribute('data-bytes', String(entry.bytes.length));
    head.appendChild(size);
    li.appendChild(head);

    var payload = document.createElement('pre');
    payload.className = 'payload' + (shown.json ? ' json' : '') + (shown.empty ? ' empty' : '');
    if (shown.empty) {
      payload.setAttribute('data-i18n', 'messages.emptyPayload');
      payload.textContent = t('messages.emptyPayload');
    } else {
      payload.textContent = shown.text;
    }
    li.appendChild(payload);

    if (isLong(shown.text)) {
      payload.classList.add('folded');
      var more = document.createElement('button');
      more.type = 'button';
      more.className = 'more';
      more.setAttribute('aria-expanded', 'false');
      more.setAttribute('data-i18n', 'messages.showMore');
      more.textContent = t('messages.showMore');
      li.appendChild(more);
    }

    li.hubEntry = entry;
    li.hidden = !matchesFilter(entry);
    return li;
  }

  function trim() {
    while (list.childElementCount > maxMessages) {
      list.removeChild(list.lastElementChild);
    }
  }

  /** Sets a text only when it changed: during a burst this runs every frame. */
  function setText(id, text, hidden) {
    var element = document.getElementById(id);
    if (element.textContent !== text) {
      element.textContent = text;
    }
    if (hidden !== undefined && element.hidden !== hidden) {
      element.hidden = hidden;
    }
  }

  function updateNotes() {
    setText('subCount', i18n.plural('messages.count', subCount));
    setText('tabCount', String(subCount));
    setText('pausedNote', paused ? i18n.plural('messages.paused', heldCount, maxMessages) : '', !paused);
    setText('limitNote', t('messages.limit', maxMessages));
    var total = list.childElementCount;
    document.getElementById('messagesEmpty').hidden = total > 0;
    var shown = total;
    if (filterText) {
      shown = 0;
      for (var item = list.firstElementChild; item; item = item.nextElementSibling) {
        if (!item.hidden) {
          shown++;
        }
      }
    }
    var noMatch = !!filterText && total > 0 && shown === 0;
    setText('shownNote', filterText ? t('messages.shown', shown, total) : '', !filterText);
    setText('messagesNoMatch', noMatch ? t('messages.noMatchFilter', filterText) : '', !noMatch);
  }

  function flush() {
    scheduled = false;
    if (!paused) {
      var start = Math.max(nextToRender, kept.length - maxMessages);
      var end = Math.min(kept.length, start + RENDER_BATCH);
      if (end > start) {
        var fragment = document.createDocumentFragment();
        var began = window.performance.now();
        // Oldest of the batch first, so that a frame cut short still keeps the list in order.
        for (var i = start; i < end; i++) {
          fragment.insertBefore(render(kept[i]), fragment.firstChild);
          if (window.performance.now() - began > FRAME_BUDGET) {
            end = i + 1;
            break;
          }
        }
        list.insertBefore(fragment, list.firstChild);
        trim();
      }
      nextToRender = end;
      if (nextToRender < kept.length) {
        schedule();
      }
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

  /** Keeps at most the newest maxMessages items of a growing array (amortised: cut at twice that). */
  function bound(items) {
    if (items.length > 2 * maxMessages) {
      var cut = items.length - maxMessages;
      items.splice(0, cut);
      return cut;
    }
    return 0;
  }

  function add(message) {
    subCount++;
    var entry = {
      time: new Date(),
      topic: message.destinationName,
      qos: message.qos,
      retained: message.retained,
      duplicate: message.duplicate,
      bytes: message.payloadBytes
    };
    if (paused) {
      heldCount++;
      held.push(entry);
      bound(held);
    } else {
      kept.push(entry);
      nextToRender = Math.max(0, nextToRender - bound(kept));
    }
    schedule();
  }

  function setPaused(value) {
    paused = value;
    $('#pause').text(t(paused ? 'messages.resume' : 'messages.pause'))
      .attr('data-i18n', paused ? 'messages.resume' : 'messages.pause')
      .attr('aria-pressed', String(paused)).toggleClass('active', paused);
    if (!paused) {
      kept = kept.concat(held);
      nextToRender = Math.max(0, nextToRender - bound(kept));
      held = [];
      heldCount = 0;
    }
    schedule();
  }

  function clear() {
    kept = [];
    nextToRender = 0;
    held = [];
    heldCount = 0;
    list.textContent = '';
    schedule();
  }

  function applyFilter(text) {
    filterText = text.trim().toLowerCase();
    for (var item = list.firstElementChild; item; item = item.nextElementSibling) {
      item.hidden = !matchesFilter(item.hubEntry);
    }
    updateNotes();
  }

  function relabel() {
    Array.prototype.forEach.call(list.querySelectorAll('.size'), function (size) {
      size.textContent = sizeText(Number(size.getAttribute('data-bytes')));
    });
    updateNotes();
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
        var key = expanded ? 'messages.showLess' : 'messages.showMore';
        $(this).text(t(key)).attr('data-i18n', key).attr('aria-expanded', String(expanded));
      });
      i18n.onChange(relabel);
      updateNotes();
    },
    count: function () {
      return subCount;
    },
    /** The entries of the list that pass the filter, oldest first: {time, topic, qos, retained, bytes}. */
    entries: function () {
      return kept.slice(Math.max(0, kept.length - maxMessages)).filter(matchesFilter);
    }
  };
})(window, window.jQuery);
