/* Swagger UI for this hub: its own API description, no online validator, and the session's CSRF
   token (handed over by /admin/api in the same tab) in every same-origin call. */
window.onload = function () {
  window.ui = SwaggerUIBundle({
    url: '/v3/api-docs',
    dom_id: '#swagger-ui',
    deepLinking: true,
    validatorUrl: 'none',
    requestInterceptor: function (request) {
      var token = window.sessionStorage.getItem('XSRF-TOKEN');
      var target = new URL(request.url, document.location.origin);
      if (token && target.origin === document.location.origin) {
        request.headers['X-CSRF-TOKEN'] = token.replace(/['"]+/g, '');
      }
      return request;
    },
    presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset],
    plugins: [SwaggerUIBundle.plugins.DownloadUrl],
    layout: 'StandaloneLayout'
  });
};
