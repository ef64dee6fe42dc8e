// Every page: the phone header's menu button, the form error summary, and keeping the focused control in
// view above sticky bars. Everything here is an enhancement: without script the navigation stays open,
// the summary is still read (role=alert) and its links still jump to their fields.
(function () {
  "use strict";
  var PHONE = window.matchMedia("(max-width: 640px)");

  // Compact phone header: the navigation collapses behind a labelled button (aria-expanded says its state).
  var header = document.querySelector("header.top");
  var toggle = header && header.querySelector(".nav-toggle");
  if (toggle) {
    var setOpen = function (open) {
      toggle.setAttribute("aria-expanded", open ? "true" : "false");
      header.classList.toggle("nav-open", open);
    };
    var fit = function () {
      toggle.hidden = !PHONE.matches;
      setOpen(!PHONE.matches);
    };
    header.classList.add("nav-collapsible");
    toggle.addEventListener("click", function () {
      setOpen(toggle.getAttribute("aria-expanded") !== "true");
    });
    if (PHONE.addEventListener) { PHONE.addEventListener("change", fit); }
    fit();
  }

  // Error summary: focus moves to it after a failed submit (WCAG 3.3.1); its links focus their control
  // (a link to a group of radios or checkboxes focuses the first one).
  var summary = document.getElementById("error-summary");
  if (summary) {
    summary.addEventListener("click", function (event) {
      var link = event.target.closest("a[href^='#']");
      if (!link) { return; }
      var target = document.getElementById(link.getAttribute("href").slice(1));
      if (!target) { return; }
      event.preventDefault();
      var control = target.matches("input, select, textarea") ? target
        : target.querySelector("input:not([type=hidden]), select, textarea");
      (control || target).focus();
    });
    summary.focus();
  }

  // A focused control is never left under a sticky bar (the inspection form's action bar on a phone):
  // scroll-padding in app.css covers most cases; this covers focus moved without scrolling.
  document.addEventListener("focusin", function (event) {
    var bars = document.querySelectorAll(".actions");
    var rect = event.target.getBoundingClientRect();
    Array.prototype.forEach.call(bars, function (bar) {
      if (bar.contains(event.target) || getComputedStyle(bar).position !== "sticky") { return; }
      var top = bar.getBoundingClientRect().top;
      if (rect.bottom > top && top > 0) {
        window.scrollBy(0, rect.bottom - top + 16);
      }
    });
  });
})();
