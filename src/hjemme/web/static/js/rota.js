/* The rota grid: a changed cell is posted at once and the page comes back with the whole rota
   checked (issue 17). An external file because the Content-Security-Policy allows no inline script. */
document.querySelectorAll("form.rota-cell select").forEach(function (select) {
  select.addEventListener("change", function () { select.form.submit(); });
});
document.documentElement.setAttribute("data-ready", "true");
