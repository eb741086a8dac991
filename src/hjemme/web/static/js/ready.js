/* Marks the page as drawn (data-ready on <html>) for pages without a map; an external file because
   the Content-Security-Policy allows no inline script. */
document.documentElement.setAttribute("data-ready", "true");
