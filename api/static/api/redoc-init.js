/* ReDoc on /api/v1/redoc/ (api/templates/api/redoc.html). This script's nonce is handed to ReDoc,
   which puts it on the style elements it generates, so the page needs no 'unsafe-inline'. */
"use strict";
(function () {
  const container = document.getElementById("redoc-container");
  const nonce = document.currentScript.nonce;
  Redoc.init(container.dataset.schemaUrl, { nonce: nonce }, container);
})();
