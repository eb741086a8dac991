/* Pages without a script of their own: tell tests and the benchmark the page is drawn. */
document.documentElement.setAttribute("data-ready", "true");
