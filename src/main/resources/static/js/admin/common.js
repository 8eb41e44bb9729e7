/* Shared by the live admin pages: texts, the JSON API with the session's CSRF token, payload views. */
var Admin = (function ($) {
  'use strict';

  var csrf = null;

  /** A text of the page (data-text-* on <main>), with {0}, {1}… replaced by the arguments. */
  function text(name) {
    var value = $('main').attr('data-text-' + name) || name;
    var args = Array.prototype.slice.call(arguments, 1);
    return value.replace(/\{(\d+)\}/g, function (all, index) {
      return (args[index] !== undefined) ? String(args[index]) : all;
    });
  }

  function session() {
    if (csrf) {
      return $.Deferred().resolve(csrf).promise();
    }
    return $.getJSON('/api/session').then(function (answer) {
      csrf = { header: answer.csrfHeader, token: answer.csrfToken };
      return csrf;
    });
  }

  /** Calls the JSON API; changing calls carry the CSRF token. */
  function api(method, url, body) {
    var call = function (token) {
      var headers = { Accept: 'application/json' };
      if (token) {
        headers[token.header] = token.token;
      }
      return $.ajax({
        url: url, method: method, headers: headers, dataType: 'json',
        contentType: (body !== undefined) ? 'application/json' : undefined,
        data: (body !== undefined) ? JSON.stringify(body) : undefined
      });
    };
    return (method === 'GET') ? call(null) : session().then(call);
  }

  function errorText(xhr) {
    // The older APIs answer { error }, the newer ones a ProblemDetail { detail }.
    var answer = (xhr && xhr.responseJSON) || {};
    var detail = answer.error || answer.detail || (xhr && xhr.status) || '?';
    return text('error', detail);
  }

  function decodeBase64(base64) {
    return window.HubPayload.fromBase64(base64);
  }

  /**
   * A payload as text (UTF-8), pretty JSON (falls back to text) or hex. Bytes that are not valid
   * UTF-8 are shown as hex in every view, as the console does.
   */
  function payloadAs(bytes, view) {
    var payloads = window.HubPayload;
    var decoded = payloads.utf8(bytes);
    if (view === 'hex' || decoded === null) {
      return payloads.hex(bytes);
    }
    if (view === 'json') {
      var pretty = payloads.prettyJson(decoded);
      return pretty === null ? decoded : pretty;
    }
    return decoded;
  }

  /** Whether the bytes are not valid UTF-8 (shown as hex). */
  function isBinary(bytes) {
    return window.HubPayload.utf8(bytes) === null;
  }

  function cell(value) {
    return $('<td>').text((value === null || value === undefined) ? '' : String(value));
  }

  function time(iso) {
    return iso ? new Date(iso).toLocaleString() : '';
  }

  return { text: text, api: api, errorText: errorText, decodeBase64: decodeBase64, payloadAs: payloadAs, isBinary: isBinary,
    cell: cell, time: time };
})(jQuery);
