/* mdrepro: serve Jupyter widget modules from this folder, never from a CDN.
 *
 * Loaded (by MyST-NB's `nb_ipywidgets_js`, see _config.yml) after require.js and before the
 * html-manager's embed-amd.js, on every page that carries widget state. It points require.js's
 * baseUrl at the folder this script was served from, whatever the depth of the page. embed-amd.js
 * is loaded with data-jupyter-widgets-cdn="./" and data-jupyter-widgets-cdn-only, so a widget
 * module `name` at version `v` is fetched from <this folder>/name@v/dist/index.js, e.g.
 * nglview-js-widgets@4.0/dist/index.js; a module not vendored here fails loudly (404 in the
 * console) instead of quietly reaching for the network.
 */
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script || !window.requirejs) {
    console.error("mdrepro offline-widgets.js: load it synchronously, after require.js");
    return;
  }
  var base = script.src.replace(/[?#].*$/, "").replace(/[^/]*$/, "");
  window.requirejs.config({ baseUrl: base });

  // Pages opened from file:// (Jupyter Book suggests file:///.../index.html): nglview's bundle
  // finds its webpack public path from document.currentScript, which is null when require.js
  // runs an AMD factory, and then only accepts http(s) script URLs, so it throws "Automatic
  // publicPath is not supported in this browser". While require.js runs a module factory, show
  // webpack that module's own URL as the current script. Over http(s) nothing is changed.
  var ctx = window.requirejs.s && window.requirejs.s.contexts && window.requirejs.s.contexts._;
  if (location.protocol === "file:" && ctx && typeof ctx.execCb === "function") {
    var execCb = ctx.execCb;
    ctx.execCb = function (name, callback, args, exports) {
      var current = { tagName: "SCRIPT", src: ctx.nameToUrl(name) };
      Object.defineProperty(document, "currentScript", {
        configurable: true,
        get: function () {
          return current;
        },
      });
      try {
        return execCb.call(this, name, callback, args, exports);
      } finally {
        delete document.currentScript; // back to Document.prototype's getter
      }
    };
  }
})();
