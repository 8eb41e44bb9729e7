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
    var detail = (xhr && xhr.responseJSON && xhr.responseJSON.error) || (xhr && xhr.status) || '?';
    return text('error', detail);
  }

  function decodeBase64(base64) {
    var binary = atob(base64 || '');
    var bytes = new Uint8Array(binary.length);
    for (var i = 0; i < binary.length; i++) {
      bytes[i] = binary.charCodeAt(i);
    }
    return bytes;
  }

  /** A payload as text (UTF-8), pretty JSON (falls back to text) or hex. */
  function payloadAs(bytes, view) {
    if (view === 'hex') {
      var hex = [];
      for (var i = 0; i < bytes.length; i++) {
        hex.push((bytes[i] < 16 ? '0' : '') + bytes[i].toString(16));
      }
      return hex.join(' ');
    }
    var decoded = new TextDecoder('utf-8').decode(bytes);
    if (view === 'json') {
      try {
        return JSON.stringify(JSON.parse(decoded), null, 2);
      } catch (e) {
        return decoded;
      }
    }
    return decoded;
  }

  function cell(value) {
    return $('<td>').text((value === null || value === undefined) ? '' : String(value));
  }

  function time(iso) {
    return iso ? new Date(iso).toLocaleString() : '';
  }

  return { text: text, api: api, errorText: errorText, decodeBase64: decodeBase64, payloadAs: payloadAs,
    cell: cell, time: time };
})(jQuery);
