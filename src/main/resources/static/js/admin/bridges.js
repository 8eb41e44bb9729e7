/*
 * Bridges: state and figures of each bridge, refreshed every two seconds; pause and resume;
 * add, edit and delete the bridges stored in the database (those of the configuration are
 * read-only). Everything goes through /api/bridges; its field problems are shown as they come.
 */
(function ($) {
  'use strict';

  var REFRESH_MS = 2000;

  /** The last list, by name: an edit starts from the bridge's full definition. */
  var bridgesByName = {};

  /** The name of the bridge being edited, null for a new one. */
  var editing = null;

  function note(message, problem) {
    $('#note').toggleClass('problem', !!problem).toggleClass('notice', !problem).text(message);
  }

  function stateText(bridge) {
    if (!bridge.enabled) {
      return Admin.text('disabled');
    }
    var state = bridge.state.toLowerCase().replace('_', ' ');
    return bridge.lastError ? state + ': ' + bridge.lastError : state;
  }

  function rulesList(bridge) {
    var list = $('<ul class="rules">');
    bridge.topics.forEach(function (rule) {
      list.append($('<li>').text(rule.direction + ' ' + rule.localPrefix + rule.filter + ' \u2192 ' +
        rule.remotePrefix + rule.filter + ' (QoS ' + rule.qos + ')'));
    });
    return list;
  }

  function path(bridge) {
    return '/api/bridges/' + encodeURIComponent(bridge.name);
  }

  function actions(bridge) {
    var cell = $('<td class="actions">');
    if (bridge.enabled) {
      var verb = bridge.paused ? 'resume' : 'pause';
      cell.append($('<button type="button" class="small">').addClass(verb).text(Admin.text(verb))
        .on('click', function () {
          Admin.api('POST', path(bridge) + '/' + verb).then(function () {
            note('');
            refresh();
          }, function (xhr) { note(Admin.errorText(xhr), true); });
        }));
    }
    if (bridge.source === 'database') {
      cell.append(
        $('<button type="button" class="small edit">').text(Admin.text('edit')).on('click', function () {
          openEditor(bridge);
        }),
        $('<button type="button" class="small danger delete">').text(Admin.text('delete')).on('click', function () {
          remove(bridge);
        }));
    }
    return cell;
  }

  function render(bridges) {
    var rows = $('#bridgeRows').empty();
    bridgesByName = {};
    bridges.forEach(function (bridge) {
      bridgesByName[bridge.name] = bridge;
      var f = bridge.figures;
      rows.append($('<tr class="bridge">').attr('data-name', bridge.name).attr('data-source', bridge.source).append(
        $('<td class="name">').append($('<span>').text(bridge.name),
          $('<span class="hint source">').text(Admin.text('source-' + bridge.source))),
        Admin.cell(stateText(bridge)).addClass('state'),
        Admin.cell(bridge.connectedAddress || bridge.addresses.join(', ')),
        $('<td>').append(rulesList(bridge)),
        Admin.cell(f.queueMessages + ' / ' + f.queueBytes).addClass('queue'),
        Admin.cell(f.oldestAgeSeconds.toFixed(1)),
        Admin.cell(f.enqueued), Admin.cell(f.forwarded).addClass('forwarded'), Admin.cell(f.dropped),
        Admin.cell(f.inFlight), Admin.cell(f.received),
        actions(bridge)));
    });
    if (!bridges.length) {
      rows.append($('<tr>').append($('<td colspan="12" class="hint">').text(Admin.text('none'))));
    }
  }

  function refresh() {
    return Admin.api('GET', '/api/bridges').then(render, function (xhr) { note(Admin.errorText(xhr), true); });
  }

  function addRule(rule) {
    var row = $(document.importNode(document.getElementById('ruleTemplate').content, true)).children().first();
    row.find('.rule-filter').val(rule.filter || '');
    row.find('.rule-direction').val(rule.direction || 'out');
    row.find('.rule-qos').val(String(rule.qos === undefined ? 1 : rule.qos));
    row.find('.rule-local').val(rule.localPrefix || '');
    row.find('.rule-remote').val(rule.remotePrefix || '');
    row.find('.remove-rule').on('click', function () { row.remove(); });
    $('#ruleRows').append(row);
    return row;
  }

  /**
   * The write-only fields: never filled in; on an edit an empty one keeps the stored value, and a
   * tick box (shown only when a value is stored) removes it. {@code set} reads the bridge view.
   */
  var SECRETS = [
    { path: ['password'], input: '#bridgePassword', clear: '#bridgeClearPassword', clearLabel: '#clearPasswordLabel',
      hint: '#passwordHint', newText: 'password-new', keepText: 'password-keep', set: function (b) { return b.password === 'set'; } },
    { path: ['tls', 'truststorePassword'], input: '#bridgeTruststorePassword', clear: '#bridgeClearTruststorePassword',
      clearLabel: '#clearTruststorePasswordLabel', hint: '#truststorePasswordHint', newText: 'secret-new',
      keepText: 'secret-keep', set: function (b) { return b.truststorePassword === 'set'; } },
    { path: ['tls', 'keystorePassword'], input: '#bridgeKeystorePassword', clear: '#bridgeClearKeystorePassword',
      clearLabel: '#clearKeystorePasswordLabel', hint: '#keystorePasswordHint', newText: 'secret-new',
      keepText: 'secret-keep', set: function (b) { return b.keystorePassword === 'set'; } }
  ];

  /** The plain text fields beyond the first ones, by their place in the definition. */
  var TEXTS = [
    { path: ['peerClientId'], input: '#bridgePeerClientId' },
    { path: ['connectTimeout'], input: '#bridgeConnectTimeout' },
    { path: ['tls', 'truststore'], input: '#bridgeTruststore' },
    { path: ['tls', 'truststoreType'], input: '#bridgeTruststoreType' },
    { path: ['tls', 'keystore'], input: '#bridgeKeystore' },
    { path: ['tls', 'keystoreType'], input: '#bridgeKeystoreType' },
    { path: ['queue', 'maxBytes'], input: '#bridgeQueueMaxBytes' },
    { path: ['reconnect', 'initialDelay'], input: '#bridgeInitialDelay' },
    { path: ['reconnect', 'maxDelay'], input: '#bridgeMaxDelay' }
  ];

  /** Whole numbers: sent as numbers, or as typed when they are not one (the API then says so). */
  var NUMBERS = [
    { path: ['inFlight'], input: '#bridgeInFlight' },
    { path: ['queue', 'maxMessages'], input: '#bridgeQueueMaxMessages' }
  ];

  function read(object, path) {
    return path.reduce(function (value, key) { return (value === null || value === undefined) ? undefined : value[key]; }, object);
  }

  function write(object, path, value) {
    var parent = path.slice(0, -1).reduce(function (at, key) {
      if (!at[key] || typeof at[key] !== 'object') {
        at[key] = {};
      }
      return at[key];
    }, object);
    parent[path[path.length - 1]] = value;
  }

  /** Opens the form, empty for a new bridge or filled with a stored one's definition. */
  function openEditor(bridge) {
    var d = bridge ? bridge.definition : {};
    editing = bridge ? bridge.name : null;
    $('#editorTitle').text(bridge ? Admin.text('editor-edit', bridge.name) : Admin.text('editor-new'));
    $('#bridgeName').val(d.name || '').prop('disabled', !!bridge);
    $('#bridgeAddresses').val((d.addresses || []).join('\n'));
    $('#bridgeFailover').val(d.failover || 'in-order');
    $('#bridgeClientId').val(d.clientId || '');
    $('#bridgeUsername').val(d.username || '');
    $('#bridgePasswordEnv').val(d.passwordEnv || '');
    SECRETS.forEach(function (secret) {
      var stored = !!bridge && secret.set(bridge);
      $(secret.input).val('');
      $(secret.hint).text(Admin.text(stored ? secret.keepText : secret.newText));
      $(secret.clearLabel).prop('hidden', !stored);
      $(secret.clear).prop('checked', false);
    });
    TEXTS.concat(NUMBERS).forEach(function (field) {
      var value = read(d, field.path);
      $(field.input).val((value === null || value === undefined) ? '' : String(value));
    });
    // Open when it holds a file or a peer; limits and timeouts differ rarely from their defaults.
    $('#tlsSection').prop('open', !!(d.tls && (d.tls.truststore || d.tls.keystore)));
    $('#advancedSection').prop('open', !!d.peerClientId);
    $('#bridgeKeepAlive').val(bridge ? String(bridge.keepAliveSeconds) : '60');
    $('#bridgeCleanSession').prop('checked', !!d.cleanSession);
    $('#bridgeEnabled').prop('checked', bridge ? d.enabled : true);
    $('#bridgePaused').prop('checked', !!d.paused);
    $('#ruleRows').empty();
    (d.topics && d.topics.length ? d.topics : [{}]).forEach(addRule);
    showProblems([]);
    note('');
    $('#bridgeEditor').prop('hidden', false);
    (bridge ? $('#bridgeAddresses') : $('#bridgeName')).trigger('focus');
  }

  function closeEditor() {
    editing = null;
    $('#bridgeEditor').prop('hidden', true);
    showProblems([]);
  }

  function orNull(value) {
    value = String(value).trim();
    return value === '' ? null : value;
  }

  /** The request body: the stored definition (TLS, queue, back-off kept) with the form's fields over it. */
  function collect() {
    var base = (editing && bridgesByName[editing]) ? $.extend(true, {}, bridgesByName[editing].definition) : {};
    base.name = editing || String($('#bridgeName').val()).trim();
    base.addresses = $('#bridgeAddresses').val().split('\n').map(function (a) { return a.trim(); }).filter(function (a) { return a !== ''; });
    base.failover = $('#bridgeFailover').val();
    base.clientId = orNull($('#bridgeClientId').val());
    base.username = orNull($('#bridgeUsername').val());
    SECRETS.forEach(function (secret) {
      var value = $(secret.input).val();
      // Left out (null): the stored value is kept; empty: removed.
      write(base, secret.path, value !== '' ? value : ($(secret.clear).is(':checked') ? '' : null));
    });
    TEXTS.forEach(function (field) {
      write(base, field.path, orNull($(field.input).val()));
    });
    NUMBERS.forEach(function (field) {
      var typed = orNull($(field.input).val());
      write(base, field.path, (typed !== null && /^\d{1,15}$/.test(typed)) ? Number(typed) : typed);
    });
    base.passwordEnv = orNull($('#bridgePasswordEnv').val());
    var keepAlive = String($('#bridgeKeepAlive').val()).trim();
    base.keepAlive = keepAlive === '' ? null : keepAlive + 's';
    base.cleanSession = $('#bridgeCleanSession').is(':checked');
    base.enabled = $('#bridgeEnabled').is(':checked');
    base.paused = $('#bridgePaused').is(':checked');
    base.topics = $('#ruleRows .rule').map(function () {
      var row = $(this);
      return {
        filter: row.find('.rule-filter').val(), direction: row.find('.rule-direction').val(),
        qos: Number(row.find('.rule-qos').val()), localPrefix: row.find('.rule-local').val(),
        remotePrefix: row.find('.rule-remote').val()
      };
    }).get();
    return base;
  }

  /** The form control a problem's field names (as the API writes it), if the form has one. */
  function control(field) {
    var simple = { name: '#bridgeName', addresses: '#bridgeAddresses', clientId: '#bridgeClientId',
      username: '#bridgeUsername', passwordEnv: '#bridgePasswordEnv',
      keepAlive: '#bridgeKeepAlive', failover: '#bridgeFailover', reconnect: '#bridgeInitialDelay, #bridgeMaxDelay' };
    SECRETS.concat(TEXTS, NUMBERS).forEach(function (known) {
      simple[known.path.join('.')] = known.input;
    });
    if (simple[field]) {
      return $(simple[field]);
    }
    var top = field.replace(/\[.*$/, '').replace(/\..*$/, '');
    if (simple[top]) {
      return $(simple[top]);
    }
    var rule = /^topics\[(\d+)\]\.(\w+)/.exec(field);
    if (rule) {
      var classes = { filter: '.rule-filter', direction: '.rule-direction', qos: '.rule-qos',
        localPrefix: '.rule-local', remotePrefix: '.rule-remote' };
      return $('#ruleRows .rule').eq(Number(rule[1])).find(classes[rule[2]] || 'none');
    }
    return $();
  }

  /**
   * Lists the problems under the form, and shows each also right under its control (opening a
   * closed section that holds it), tied to it with aria-describedby.
   */
  function showProblems(fields) {
    $('#bridgeForm [aria-invalid]').removeAttr('aria-invalid').each(function () {
      var kept = ($(this).attr('aria-describedby') || '').split(' ').filter(function (id) {
        return id !== '' && id.indexOf('fieldProblem') !== 0;
      });
      if (kept.length) {
        $(this).attr('aria-describedby', kept.join(' '));
      }
      else {
        $(this).removeAttr('aria-describedby');
      }
    });
    $('#bridgeForm .field-problem').remove();
    var list = $('#formProblems').empty();
    fields.forEach(function (problem, index) {
      list.append($('<li>').text(problem.field + ': ' + problem.message));
      control(problem.field).each(function (k) {
        var input = $(this);
        var id = 'fieldProblem' + index + '-' + k;
        input.after($('<span class="field-problem problem">').attr('id', id).text(problem.message))
          .attr('aria-invalid', 'true')
          .attr('aria-describedby', $.trim((input.attr('aria-describedby') || '') + ' ' + id));
        input.closest('details').prop('open', true);
      });
    });
  }

  function save(event) {
    event.preventDefault();
    var body = collect();
    var call = editing ? Admin.api('PUT', '/api/bridges/' + encodeURIComponent(editing), body)
      : Admin.api('POST', '/api/bridges', body);
    $('#saveBridge').prop('disabled', true);
    call.then(function (bridge) {
      closeEditor();
      note(Admin.text('saved', bridge.name));
      refresh();
    }, function (xhr) {
      var problem = xhr.responseJSON || {};
      showProblems(problem.fields || []);
      if (!(problem.fields || []).length) {
        showProblems([{ field: String(xhr.status), message: Admin.errorText(xhr) }]);
      }
    }).always(function () { $('#saveBridge').prop('disabled', false); });
  }

  function remove(bridge) {
    if (!window.confirm(Admin.text('confirm-delete', bridge.name, bridge.figures.queueMessages))) {
      return;
    }
    Admin.api('DELETE', path(bridge)).then(function (answer) {
      if (editing === bridge.name) {
        closeEditor();
      }
      note(Admin.text('deleted', bridge.name, answer.discardedMessages));
      refresh();
    }, function (xhr) { note(Admin.errorText(xhr), true); });
  }

  $(function () {
    $('#addBridge').on('click', function () { openEditor(null); });
    $('#addRule').on('click', function () { addRule({}).find('.rule-filter').trigger('focus'); });
    $('#cancelEdit').on('click', closeEditor);
    $('#bridgeForm').on('submit', save);
    refresh();
    window.setInterval(refresh, REFRESH_MS);
  });
})(jQuery);
