/* The topic tree, rebuilt from the server every two seconds; expanded levels stay expanded. */
(function ($) {
  'use strict';

  var expanded = {};

  function node(level) {
    var item = $('<li class="node">').attr('data-topic', level.topic);
    var hasChildren = level.children.length > 0;
    var open = expanded[level.topic] === true;
    var toggle = $('<span class="toggle">').text(hasChildren ? (open ? '▾' : '▸') : '');
    item.append(toggle, $('<span class="name">').text(level.name === '' ? '""' : level.name));
    if (level.count > 0) {
      item.append($('<span class="meta count">').text(level.count + ' ' + Admin.text('count')));
      item.append($('<span class="meta time">').text(Admin.time(level.lastTime)));
      if (level.retained) {
        item.append($('<span class="badge">').text(Admin.text('retained')));
      }
      var payload = Admin.payloadAs(Admin.decodeBase64(level.payload), 'text');
      var pre = $('<pre class="payload">').text(payload);
      if (level.truncated) {
        pre.append(document.createTextNode(' ' + Admin.text('truncated')));
      }
      item.append(pre);
    }
    if (hasChildren) {
      var children = $('<ul>').toggle(open);
      level.children.forEach(function (child) {
        children.append(node(child));
      });
      item.append(children);
      toggle.on('click', function () {
        expanded[level.topic] = !expanded[level.topic];
        children.toggle(expanded[level.topic]);
        toggle.text(expanded[level.topic] ? '▾' : '▸');
      });
    }
    return item;
  }

  function refresh() {
    Admin.api('GET', '/api/topics').then(function (answer) {
      $('#note').text('');
      $('#summary').text(Admin.text('summary', answer.topics));
      var tree = $('#tree').empty();
      answer.tree.forEach(function (level) {
        tree.append(node(level));
      });
      if (!answer.tree.length) {
        tree.append($('<li class="hint">').text(Admin.text('none')));
      }
    }, function (xhr) { $('#note').text(Admin.errorText(xhr)); });
  }

  $(function () {
    $('#expandAll').on('click', function () {
      $('#tree li.node').each(function () { expanded[$(this).attr('data-topic')] = true; });
      refresh();
    });
    $('#collapseAll').on('click', function () {
      expanded = {};
      refresh();
    });
    refresh();
    setInterval(refresh, 2000);
  });
})(jQuery);
