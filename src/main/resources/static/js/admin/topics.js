/*
 * The topic tree, rebuilt from the server every two seconds; expanded levels stay expanded.
 * The server sends flat topic paths; the hierarchy is built here, and a chain of levels that
 * carried no message and have one child each (a/b/c) is shown as one row.
 */
(function ($) {
  'use strict';

  var expanded = {};

  /** Levels from flat entries: {name, topic, entry, children: {name: level}}. */
  function hierarchy(entries) {
    var root = { children: {} };
    entries.forEach(function (entry) {
      var node = root;
      var path = '';
      entry.topic.split('/').forEach(function (name, index) {
        path = index === 0 ? name : path + '/' + name;
        if (!Object.prototype.hasOwnProperty.call(node.children, name)) {
          node.children[name] = { name: name, topic: path, entry: null, children: {} };
        }
        node = node.children[name];
      });
      node.entry = entry;
    });
    return root;
  }

  function childrenOf(level) {
    return Object.keys(level.children).sort().map(function (name) {
      return level.children[name];
    });
  }

  /** Folds single-child chains without messages of their own into one level named a/b/c. */
  function folded(level) {
    var name = level.name === '' ? '""' : level.name;
    var current = level;
    var children = childrenOf(current);
    while (!current.entry && children.length === 1) {
      current = children[0];
      name += '/' + (current.name === '' ? '""' : current.name);
      children = childrenOf(current);
    }
    return { name: name, topic: current.topic, entry: current.entry, children: children };
  }

  function node(level) {
    var shown = folded(level);
    var item = $('<li class="node">').attr('data-topic', shown.topic);
    var hasChildren = shown.children.length > 0;
    var open = expanded[shown.topic] === true;
    var toggle = $('<button type="button" class="toggle">').text(hasChildren ? (open ? '▾' : '▸') : '·')
      .prop('disabled', !hasChildren).attr('aria-label', shown.name);
    if (hasChildren) {
      toggle.attr('aria-expanded', String(open));
    }
    item.append(toggle, $('<span class="name">').text(shown.name));
    var entry = shown.entry;
    if (entry) {
      item.append($('<span class="meta count">').text(Admin.text(entry.count === 1 ? 'count-one' : 'count', entry.count)));
      item.append($('<span class="meta time">').text(Admin.time(entry.lastTime)));
      if (entry.retained) {
        item.append($('<span class="badge">').text(Admin.text('retained')));
      }
      var bytes = Admin.decodeBase64(entry.payload);
      if (Admin.isBinary(bytes)) {
        item.append($('<span class="badge binary">').text(Admin.text('binary')));
      }
      var pre = $('<pre class="payload">').text(Admin.payloadAs(bytes, 'text'));
      if (entry.truncated) {
        pre.append(document.createTextNode(' ' + Admin.text('truncated')));
      }
      item.append(pre);
    }
    if (hasChildren) {
      var children = $('<ul>').toggle(open);
      shown.children.forEach(function (child) {
        children.append(node(child));
      });
      item.append(children);
      toggle.on('click', function () {
        expanded[shown.topic] = !expanded[shown.topic];
        children.toggle(expanded[shown.topic]);
        toggle.text(expanded[shown.topic] ? '▾' : '▸').attr('aria-expanded', String(expanded[shown.topic]));
      });
    }
    return item;
  }

  function refresh() {
    Admin.api('GET', '/api/topics').then(function (answer) {
      $('#note').text('');
      $('#summary').text(Admin.text('summary', answer.topics));
      var tree = $('#tree').empty();
      var root = hierarchy(answer.entries);
      childrenOf(root).forEach(function (level) {
        tree.append(node(level));
      });
      if (!answer.entries.length) {
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
