// The ipywidgets controls (html-manager 1.0.15) typeset HTML and label widgets with
// MathJax 2's `MathJax.Hub.Queue(["Typeset", MathJax.Hub, element])`; the site runs
// MathJax 3, which has no Hub, so every such widget threw "Cannot read properties of
// undefined (reading 'Queue')". This gives them a Hub whose Queue typesets the element
// with MathJax 3, once MathJax has started. Runs after Sphinx's `window.MathJax = {...}`
// configuration and before MathJax itself (a deferred script), on pages with math only.
// It also opens the folded answers (<details>) to MathJax: see startup.ready below.
(function () {
  "use strict";
  if (typeof window.MathJax !== "object" || window.MathJax === null) {
    return;
  }
  var waiting = [];
  function typeset(elements) {
    window.MathJax.startup.promise = window.MathJax.startup.promise
      .then(function () { return window.MathJax.typesetPromise(elements); })
      .catch(function (error) { console.warn("MathJax could not typeset a widget:", error); });
  }
  function hub() {
    return {
      Queue: function (command) {
        var element = Array.isArray(command) ? command[2] : undefined;
        if (!element) {
          return;
        }
        if (window.MathJax.typesetPromise) {
          typeset([element]);
        } else {
          waiting.push(element);
        }
      },
    };
  }
  // Before MathJax loads, window.MathJax is its configuration.
  var config = window.MathJax;
  config.Hub = hub();
  config.startup = config.startup || {};
  var ready = config.startup.ready;
  config.startup.ready = function () {
    // myst-nb marks the lessons' text "mathjax_ignore" (Sphinx renders the math
    // itself), but the folded answers are raw HTML whose $...$ Jupyter typesets:
    // let MathJax into them. The page is parsed by now (MathJax is deferred).
    document.querySelectorAll("article details").forEach(function (details) {
      details.classList.add("mathjax_process");
    });
    if (ready) {
      ready();
    } else {
      window.MathJax.startup.defaultReady();
    }
    window.MathJax.Hub = hub();
    if (waiting.length) {
      typeset(waiting.splice(0));
    }
  };
})();
