/* Give every slider of the book's widgets an accessible name.
 *
 * ipywidgets 8 draws a slider as a noUiSlider handle (role="slider") beside a separate
 * <label> with the widget's description ("latency (s)", "threads"), but does not tie the
 * two together, so a screen reader announces "slider, 0.05" with no name (axe-core:
 * aria-input-field-name, serious).  As the widget manager renders each control, this names
 * its handles after the visible label.  It changes nothing a sighted reader sees.
 */
(function () {
  function name(root) {
    var handles = (root.querySelectorAll ? root : document).querySelectorAll(
      '[role="slider"]:not([aria-label]):not([aria-labelledby])');
    handles.forEach(function (handle) {
      var widget = handle.closest(".widget-slider, .jupyter-widgets");
      var label = widget && widget.querySelector(".widget-label");
      var text = label && label.textContent.trim();
      handle.setAttribute("aria-label", text || "slider");
    });
  }
  function start() {
    name(document);
    new MutationObserver(function (changes) {
      changes.forEach(function (c) { if (c.addedNodes.length) name(c.target); });
    }).observe(document.body, { childList: true, subtree: true });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
