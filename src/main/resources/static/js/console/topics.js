/*
 * MQTT 3.1.1 topic rules (section 4.7): which topic names may be published to, which topic
 * filters may be subscribed to, and whether a filter matches a topic.
 * The validators return null when the text is fine, otherwise the key of the error text.
 */
(function (window) {
  'use strict';

  var HubConsole = window.HubConsole = window.HubConsole || {};

  /**
   * The broker's bounds (data-max-topic-bytes, data-max-topic-levels on <body>), so that the page
   * refuses what the broker would answer by closing the connection; MQTT's own without them.
   */
  function bound(name, fallback) {
    var body = window.document && window.document.body;
    var value = body ? Number(body.getAttribute(name)) : NaN;
    return value > 0 ? value : fallback;
  }

  function utf8Length(text) {
    var bytes = 0;
    for (var i = 0; i < text.length; i++) {
      var code = text.charCodeAt(i);
      if (code < 0x80) {
        bytes += 1;
      } else if (code < 0x800) {
        bytes += 2;
      } else if (code >= 0xD800 && code <= 0xDBFF && i + 1 < text.length) {
        var next = text.charCodeAt(i + 1);
        if (next >= 0xDC00 && next <= 0xDFFF) {
          bytes += 4;
          i++;
        } else {
          bytes += 3;
        }
      } else {
        bytes += 3;
      }
    }
    return bytes;
  }

  function basicError(text) {
    if (typeof text !== 'string' || text.length === 0) {
      return 'error.topic.empty';
    }
    if (text.indexOf('\u0000') !== -1) {
      return 'error.topic.nul';
    }
    if (utf8Length(text) > bound('data-max-topic-bytes', 65535)) {
      return 'error.topic.tooLong';
    }
    if (text.split('/').length > bound('data-max-topic-levels', Infinity)) {
      return 'error.topic.tooDeep';
    }
    return null;
  }

  /** A topic name to publish to: no wildcards at all. */
  function validateTopic(topic) {
    var error = basicError(topic);
    if (error) {
      return error;
    }
    if (/[+#]/.test(topic)) {
      return 'error.topic.wildcard';
    }
    return null;
  }

  /** A topic filter to subscribe to: '#' alone in the last level, '+' alone in its level. */
  function validateFilter(filter) {
    var error = basicError(filter);
    if (error) {
      return error;
    }
    var levels = filter.split('/');
    for (var i = 0; i < levels.length; i++) {
      var level = levels[i];
      if (level.indexOf('#') !== -1 && (level !== '#' || i !== levels.length - 1)) {
        return 'error.filter.hash';
      }
      if (level.indexOf('+') !== -1 && level !== '+') {
        return 'error.filter.plus';
      }
    }
    return null;
  }

  /** Whether filter (a valid topic filter) matches topic (a topic name). */
  function matches(filter, topic) {
    // Wildcards in the first level do not match topics starting with '$' (MQTT-4.7.2-1).
    if (topic.charAt(0) === '$' && (filter.charAt(0) === '+' || filter.charAt(0) === '#')) {
      return false;
    }
    var f = filter.split('/');
    var t = topic.split('/');
    for (var i = 0; i < f.length; i++) {
      if (f[i] === '#') {
        return true;
      }
      if (i >= t.length) {
        return false;
      }
      if (f[i] !== '+' && f[i] !== t[i]) {
        return false;
      }
    }
    return f.length === t.length;
  }

  HubConsole.topics = {
    utf8Length: utf8Length,
    validateTopic: validateTopic,
    validateFilter: validateFilter,
    matches: matches
  };
})(window);
