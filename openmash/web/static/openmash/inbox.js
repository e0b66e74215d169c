// Live inbox: the server sends a "share" event whenever a share reaches this organisation's inbox, and the
// list is re-read from the server (so it always shows what the inbox holds, filters applied).
(function () {
  var live = document.getElementById("inbox-live");
  if (!live || !window.EventSource) return;
  var stream = new EventSource(live.dataset.stream);
  stream.addEventListener("share", function () {
    htmx.ajax("GET", live.dataset.refresh, { target: "#inbox-live", swap: "innerHTML" });
  });
})();
