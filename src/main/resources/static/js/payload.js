/*
 * Payload bytes for people, shared by the console and the admin pages: UTF-8 text when the bytes
 * are valid UTF-8, hex otherwise; JSON pretty-printing; hex input; Base64 for exports.
 */
(function (window) {
  'use strict';

  var strict = new window.TextDecoder('utf-8', { fatal: true });

  /** The bytes as text, or null when they are not valid UTF-8. */
  function utf8(bytes) {
    try {
      return strict.decode(bytes);
    } catch (e) {
      return null;
    }
  }

  /** "01 ff 7a", at most limit bytes (then " …"). */
  function hex(bytes, limit) {
    var count = Math.min(bytes.length, limit === undefined ? bytes.length : limit);
    var parts = new Array(count);
    for (var i = 0; i < count; i++) {
      parts[i] = (bytes[i] < 16 ? '0' : '') + bytes[i].toString(16);
    }
    return parts.join(' ') + (bytes.length > count ? ' …' : '');
  }

  /** Pretty JSON when the text is a JSON object or array, otherwise null. */
  function prettyJson(text) {
    var first = text.trim().charAt(0);
    if (first !== '{' && first !== '[') {
      return null;
    }
    try {
      return JSON.stringify(JSON.parse(text), null, 2);
    } catch (e) {
      return null;
    }
  }

  /** "01 ff 7a", "01ff7a" or "0x01 0xff" as bytes, or null when it is not hex. */
  function parseHex(text) {
    var digits = String(text).replace(/0x/gi, '').replace(/[\s,:]+/g, '');
    if (digits.length % 2 !== 0 || /[^0-9a-fA-F]/.test(digits)) {
      return null;
    }
    var bytes = new Uint8Array(digits.length / 2);
    for (var i = 0; i < bytes.length; i++) {
      bytes[i] = parseInt(digits.substr(i * 2, 2), 16);
    }
    return bytes;
  }

  function toBase64(bytes) {
    var binary = '';
    for (var i = 0; i < bytes.length; i += 0x8000) {
      binary += String.fromCharCode.apply(null, bytes.subarray(i, i + 0x8000));
    }
    return window.btoa(binary);
  }

  function fromBase64(base64) {
    var binary = window.atob(base64 || '');
    var bytes = new Uint8Array(binary.length);
    for (var i = 0; i < binary.length; i++) {
      bytes[i] = binary.charCodeAt(i);
    }
    return bytes;
  }

  window.HubPayload = {
    utf8: utf8, hex: hex, prettyJson: prettyJson, parseHex: parseHex, toBase64: toBase64, fromBase64: fromBase64
  };
})(window);
