/* The rota grid: a changed cell is posted at once and the page comes back with the whole rota
   checked (issue 17). An external file because the Content-Security-Policy allows no inline script.

   The page that comes back opens where the planner was: the grid's sideways scroll and the page's
   scroll are kept for the reload (a four-week grid is wider than most screens, and starting again
   from the first day after every change in the fourth week was the grid's worst habit). */
var KEPT = "hjemme-rota-scroll";
var scroller = document.querySelector(".rota-scroll");

try {
  var kept = JSON.parse(sessionStorage.getItem(KEPT) || "null");
  sessionStorage.removeItem(KEPT);
  if (kept && Date.now() - kept.at < 60000) {
    if (scroller) { scroller.scrollLeft = kept.left; }
    window.scrollTo(0, kept.top);
  }
} catch (e) { /* no storage (private mode): the page opens at the top, as without the script */ }

document.querySelectorAll("form.rota-cell select").forEach(function (select) {
  select.addEventListener("change", function () {
    try {
      sessionStorage.setItem(KEPT, JSON.stringify({
        left: scroller ? scroller.scrollLeft : 0, top: window.scrollY, at: Date.now()
      }));
    } catch (e) { /* the edit is posted all the same */ }
    select.form.submit();
  });
});
document.documentElement.setAttribute("data-ready", "true");
