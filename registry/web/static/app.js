// Search-as-you-type for the municipality and provision fields, "add a provision", "print".
// Progressive enhancement: without this file the page works with the browsers' own <datalist>.
(function () {
  "use strict";
  document.documentElement.classList.add("js");

  function debounce(fn, ms) {
    var t = null;
    return function () { var a = arguments, self = this; clearTimeout(t); t = setTimeout(function () { fn.apply(self, a); }, ms); };
  }

  function getJSON(url) {
    return fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.json() : null; })
      .catch(function () { return null; });
  }

  var counter = 0;
  function autocomplete(input, source) {
    input.removeAttribute("list");
    var box = document.createElement("ul");
    box.className = "suggest";
    box.id = "suggest-" + (++counter);
    box.setAttribute("role", "listbox");
    box.hidden = true;
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", box.id);
    input.insertAdjacentElement("afterend", box);
    var items = [], active = -1, seq = 0;

    function close() { box.hidden = true; active = -1; input.setAttribute("aria-expanded", "false"); input.removeAttribute("aria-activedescendant"); }
    function mark() {
      Array.prototype.forEach.call(box.children, function (li, i) { li.setAttribute("aria-selected", String(i === active)); });
      if (active >= 0) { input.setAttribute("aria-activedescendant", box.children[active].id); box.children[active].scrollIntoView({ block: "nearest" }); }
    }
    function pick(i) { input.value = items[i].value; close(); }
    function show() {
      var q = input.value.trim(), mine = ++seq;
      if (!q) { close(); return; }
      source(q).then(function (data) {
        if (mine !== seq || !data) return;
        items = data.slice(0, 12);
        active = -1;
        box.replaceChildren.apply(box, items.map(function (it, i) {
          var li = document.createElement("li"), b = document.createElement("strong"), s = document.createElement("span");
          li.id = box.id + "-" + i;
          li.setAttribute("role", "option");
          b.textContent = it.value;
          s.textContent = it.label;
          li.append(b, s);
          li.addEventListener("mousedown", function (e) { e.preventDefault(); pick(i); });
          return li;
        }));
        box.hidden = items.length === 0;
        input.setAttribute("aria-expanded", String(!box.hidden));
      });
    }
    input.addEventListener("input", debounce(show, 120));
    input.addEventListener("blur", function () { setTimeout(close, 150); });
    input.addEventListener("keydown", function (e) {
      if (box.hidden || !items.length) return;
      if (e.key === "ArrowDown") { active = (active + 1) % items.length; mark(); e.preventDefault(); }
      else if (e.key === "ArrowUp") { active = (active - 1 + items.length) % items.length; mark(); e.preventDefault(); }
      else if (e.key === "Enter" && active >= 0) { pick(active); e.preventDefault(); }
      else if (e.key === "Escape") { close(); }
    });
  }

  function municipalities(q) {
    return getJSON("/api/municipalities?q=" + encodeURIComponent(q)).then(function (d) {
      return d && d.map(function (m) { return { value: m.name, label: m.label }; });
    });
  }
  function provisions(q) {
    return getJSON("/api/provisions?limit=12&q=" + encodeURIComponent(q)).then(function (d) {
      return d && d.map(function (p) { return { value: p.citation, label: p.label }; });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var muni = document.getElementById("municipality");
    if (muni) autocomplete(muni, municipalities);
    document.querySelectorAll("input.provision").forEach(function (el) { autocomplete(el, provisions); });

    var add = document.querySelector("button.add");
    var list = document.getElementById("deviates-list");
    if (add && list) {
      add.addEventListener("click", function (e) {
        e.preventDefault();
        var inputs = list.querySelectorAll("input.provision");
        var wrap = document.createElement("div"), input = document.createElement("input");
        wrap.className = "combo";
        input.className = "provision";
        input.name = "deviates";
        input.maxLength = 300;
        input.autocomplete = "off";
        input.spellcheck = false;
        input.setAttribute("aria-label", "Bestemmelse " + (inputs.length + 1));
        input.setAttribute("aria-describedby", "deviates-hint");
        wrap.append(input);
        list.append(wrap);
        autocomplete(input, provisions);
        input.focus();
      });
    }
    document.querySelectorAll("[data-print]").forEach(function (b) {
      b.addEventListener("click", function () { window.print(); });
    });
    var errors = document.getElementById("fejl");
    if (errors) errors.focus();
  });
})();
