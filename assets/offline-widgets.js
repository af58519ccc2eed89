/* Let the book's widgets work with no network and beside MathJax 3.
 *
 * 1. The Jupyter widget manager (embed-amd.js, loaded by RequireJS) finds its fonts
 *    relative to RequireJS's baseUrl, which defaults to the page's own folder.  Point it
 *    at the copy the book serves itself, next to this file (see the Makefile's _vendor).
 * 2. ipywidgets 8 controls typeset their labels with MathJax 2's `MathJax.Hub.Queue`; the
 *    book uses MathJax 3, which has no Hub.  A two-line adapter forwards to MathJax 3.
 */
(function () {
  var here = document.currentScript && document.currentScript.src;
  var base = here ? here.slice(0, here.lastIndexOf("/") + 1) : "";
  if (typeof window.require === "undefined") {
    // RequireJS reads a global `require` object as its configuration when it loads.
    window.require = { baseUrl: base + "jwcdn/" };
  }
  window.__jupyter_widgets_assets_path__ = base + "jwcdn/@jupyter-widgets/html-manager/dist/";

  function installHub() {
    var mj = window.MathJax;
    if (!mj || mj.Hub) return;
    mj.Hub = {
      Queue: function () {
        for (var i = 0; i < arguments.length; i++) {
          var job = arguments[i];
          if (Array.isArray(job) && job[0] === "Typeset") {
            var el = job[2];
            var ready = (mj.startup && mj.startup.promise) || Promise.resolve();
            ready.then(function () {
              return window.MathJax.typesetPromise ? window.MathJax.typesetPromise(el ? [el] : undefined) : null;
            }).catch(function () {});
          }
        }
      },
    };
  }
  installHub();
  document.addEventListener("DOMContentLoaded", installHub);
})();
