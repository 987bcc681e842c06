// The public clue form: pick the region from a tree of selects or by typing its name, and the carrier from
// the names the registry holds for that region. Without JavaScript the typed names are resolved by the server.
(function () {
  var form = document.querySelector("[data-clue-form]");
  if (!form) return;
  var code = document.getElementById("clue-region");
  var typed = document.getElementById("clue-region-name");
  var shown = document.getElementById("clue-region-shown");
  var tree = document.getElementById("clue-region-tree");
  var regionList = document.getElementById("clue-region-list");
  var carrier = document.getElementById("clue-carrier");
  var carrierList = document.getElementById("clue-carrier-list");
  if (!code || !typed) return;
  var regionsUrl = typed.getAttribute("data-regions-url");
  var carriersUrl = carrier.getAttribute("data-carriers-url");
  var found = {};

  function getJSON(url, done) {
    var request = new XMLHttpRequest();
    request.open("GET", url);
    request.onload = function () { if (request.status === 200) done(JSON.parse(request.responseText).results); };
    request.send();
  }
  function fill(list, rows, text) {
    list.textContent = "";
    rows.forEach(function (row) {
      var option = document.createElement("option");
      option.value = text(row);
      list.appendChild(option);
    });
  }
  function choose(regionCode, label) {
    code.value = regionCode;
    shown.textContent = label ? "\u2714 " + label : "";
  }
  // Typing: suggestions from the server; picking one sets the code.
  typed.addEventListener("input", function () {
    var value = typed.value.trim();
    if (found[value]) { choose(found[value].code, found[value].label); return; }
    code.value = "";
    shown.textContent = "";
    if (!value) return;
    getJSON(regionsUrl + "?q=" + encodeURIComponent(value), function (rows) {
      found = {};
      rows.forEach(function (row) { found[row.label] = row; });
      fill(regionList, rows, function (row) { return row.label; });
      if (found[typed.value.trim()]) choose(found[typed.value.trim()].code, found[typed.value.trim()].label);
    });
  });
  // The tree: one select per level, each filled from the one above.
  function level(parent, depth) {
    while (tree.querySelectorAll("select").length > depth) tree.removeChild(tree.lastChild);
    getJSON(regionsUrl + "?parent=" + encodeURIComponent(parent), function (rows) {
      if (!rows.length) return;
      var select = document.createElement("select");
      select.setAttribute("aria-label", "region level " + (depth + 1));
      select.appendChild(document.createElement("option"));
      rows.forEach(function (row) {
        var option = document.createElement("option");
        option.value = row.code;
        option.textContent = row.name;
        option.setAttribute("data-children", row.children ? "1" : "");
        select.appendChild(option);
      });
      select.addEventListener("change", function () {
        var option = select.options[select.selectedIndex];
        if (!option.value) return;
        var names = Array.prototype.map.call(tree.querySelectorAll("select"), function (s) {
          return s.options[s.selectedIndex].textContent;
        }).filter(function (n) { return n; });
        choose(option.value, names.join(" / "));
        typed.value = "";
        if (option.getAttribute("data-children")) level(option.value, depth + 1);
        else while (tree.querySelectorAll("select").length > depth + 1) tree.removeChild(tree.lastChild);
      });
      tree.appendChild(select);
    });
  }
  tree.hidden = false;
  level("", 0);
  // Carriers of the chosen region.
  carrier.addEventListener("input", function () {
    var value = carrier.value.trim();
    if (!value || !code.value) return;
    getJSON(carriersUrl + "?region=" + encodeURIComponent(code.value) + "&q=" + encodeURIComponent(value), function (rows) {
      fill(carrierList, rows, function (row) { return row.name; });
    });
  });
})();
