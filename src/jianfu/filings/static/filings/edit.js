// The proposal form's people picker: a click on a search result adds that person's code to the members box.
document.addEventListener("click", function (event) {
  var button = event.target.closest("[data-person]");
  if (!button) return;
  event.preventDefault();
  var box = document.getElementById("id_members");
  var codes = box.value.split(/[\s;；、,，]+/).filter(Boolean);
  if (codes.indexOf(button.dataset.person) < 0) codes.push(button.dataset.person);
  box.value = codes.join("\n");
});
