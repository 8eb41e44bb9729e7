/*
 * Saved connection settings in this browser's localStorage, by name. The password is saved only
 * when "Also save the password" is ticked.
 */
(function (window, $) {
  'use strict';

  var HubConsole = window.HubConsole;
  var t = HubConsole.i18n.t;
  var STORE = 'mqtthub.profiles';
  var MAX_PROFILES = 30;
  var FIELDS = ['host', 'port', 'path', 'clientId', 'username', 'keepAlive', 'willTopic', 'willPayload', 'willQos'];
  var CHECKS = ['tls', 'cleanSession', 'willRetain'];

  function load() {
    try {
      var profiles = JSON.parse(window.localStorage.getItem(STORE) || '{}');
      return profiles && typeof profiles === 'object' && !Array.isArray(profiles) ? profiles : {};
    } catch (e) {
      return {};
    }
  }

  function store(profiles) {
    window.localStorage.setItem(STORE, JSON.stringify(profiles));
    renderSelect();
  }

  function renderSelect() {
    var select = document.getElementById('profileSelect');
    var chosen = select.value;
    while (select.options.length > 1) {
      select.remove(1);
    }
    Object.keys(load()).sort().forEach(function (name) {
      var option = document.createElement('option');
      option.value = name;
      option.textContent = name;
      select.appendChild(option);
    });
    select.value = chosen;
  }

  function save() {
    var name = $.trim($('#profileName').val());
    if (!name) {
      $('#connectError').text(t('profiles.nameMissing')).prop('hidden', false);
      return;
    }
    var profile = {};
    FIELDS.forEach(function (field) {
      profile[field] = $('#' + field).val();
    });
    CHECKS.forEach(function (field) {
      profile[field] = $('#' + field).prop('checked');
    });
    if ($('#rememberPassword').prop('checked')) {
      profile.password = $('#password').val();
    }
    var profiles = load();
    if (!Object.prototype.hasOwnProperty.call(profiles, name) && Object.keys(profiles).length >= MAX_PROFILES) {
      return;
    }
    profiles[name] = profile;
    store(profiles);
    $('#profileSelect').val(name);
    $('#connectError').prop('hidden', true);
  }

  function use(name) {
    var profile = load()[name];
    if (!profile || HubConsole.connection.state() !== 'disconnected' && HubConsole.connection.state() !== 'failed') {
      return;
    }
    FIELDS.forEach(function (field) {
      if (profile[field] !== undefined) {
        $('#' + field).val(profile[field]);
      }
    });
    CHECKS.forEach(function (field) {
      $('#' + field).prop('checked', !!profile[field]);
    });
    $('#password').val(profile.password || '');
    $('#rememberPassword').prop('checked', profile.password !== undefined);
    $('#profileName').val(name);
  }

  HubConsole.profiles = {
    init: function () {
      renderSelect();
      $('#profileSave').on('click', save);
      $('#profileSelect').on('change', function () {
        use(this.value);
      });
      $('#profileDelete').on('click', function () {
        var name = $('#profileSelect').val();
        if (name) {
          var profiles = load();
          delete profiles[name];
          store(profiles);
          $('#profileSelect').val('');
        }
      });
    }
  };
})(window, window.jQuery);
