/* The API page: publish a message over HTTP, and hand the CSRF token to the Swagger UI of this tab. */
(function ($) {
  'use strict';

  $(function () {
    $.getJSON('/api/session').then(function (session) {
      // Swagger UI sends it back in the X-CSRF-TOKEN header when trying changing calls.
      window.sessionStorage.setItem('XSRF-TOKEN', session.csrfToken);
    });
    $('#publish').on('submit', function (event) {
      event.preventDefault();
      var topic = $('#topic').val();
      Admin.api('POST', '/api/publish', {
        topic: topic, payload: $('#payload').val(), qos: Number($('#qos').val()), retain: $('#retain').is(':checked')
      }).then(function () {
        $('#note').removeClass('problem').addClass('notice').text(Admin.text('sent', topic));
      }, function (xhr) {
        $('#note').removeClass('notice').addClass('problem').text(Admin.errorText(xhr));
      });
    });
  });
})(jQuery);
