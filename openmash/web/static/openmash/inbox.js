// Live inbox. The server sends a "share" event whenever a share reaches this organisation's inbox; the list is
// read again (filters applied) and only the rows not already on the page are inserted, each marked "New", so
// nothing that holds focus is replaced and what the reader is looking at stays where it is (WCAG 2.4.3). A
// short status message says what arrived (4.1.3). Updates can be paused (2.2.2). When the session has ended,
// the page says so instead of inserting the sign-in page.
(function () {
  var live = document.getElementById("inbox-live");
  if (!live || !window.EventSource || !window.fetch) return;
  var status = document.getElementById("inbox-status");
  var controls = document.querySelector("[data-live-controls]");
  var pauseButton = controls.querySelector("[data-pause]");
  var paused = false;
  var waiting = 0;
  var signedOut = false;
  var reading = false;

  controls.hidden = false;
  // This script keeps the reader's place itself; the browser's own scroll anchoring would move it twice.
  document.documentElement.style.overflowAnchor = "none";

  function say(message) {
    // Emptied first so the same words said twice are announced twice.
    status.textContent = "";
    window.setTimeout(function () {
      status.textContent = message;
    }, 50);
  }

  function showSignedOut() {
    if (signedOut) return;
    signedOut = true;
    stream.close();
    controls.hidden = true;
    var box = document.getElementById("inbox-signed-out");
    box.innerHTML =
      '<div class="govuk-notification-banner" role="alert" aria-labelledby="signed-out-title" data-testid="signed-out">' +
      '<div class="govuk-notification-banner__header"><h2 class="govuk-notification-banner__title" id="signed-out-title">Important</h2></div>' +
      '<div class="govuk-notification-banner__content"><p class="govuk-notification-banner__heading">You have been signed out. ' +
      'New notifications will not appear here. <a class="govuk-notification-banner__link" href="">Sign in again</a></p></div></div>';
    box.querySelector("a").setAttribute("href", live.dataset.signIn);
  }

  // The element the reader is at: the focused element inside the list, else the first row on screen.
  function anchor() {
    if (live.contains(document.activeElement) && document.activeElement !== live) return document.activeElement;
    var rows = live.querySelectorAll("tbody tr");
    for (var i = 0; i < rows.length; i++) {
      if (rows[i].getBoundingClientRect().bottom > 0) return rows[i];
    }
    return null;
  }

  function merge(html) {
    var fresh = new DOMParser().parseFromString(html, "text/html").body;
    var counts = live.querySelector("[data-testid=inbox-counts]");
    var freshCounts = fresh.querySelector("[data-testid=inbox-counts]");
    if (counts && freshCounts) counts.replaceWith(freshCounts);
    var freshBody = fresh.querySelector("tbody");
    if (!freshBody) return [];
    var body = live.querySelector("tbody");
    if (!body) {
      // The list was empty ("Nothing here"), so nothing on it can hold focus: the table takes its place.
      var empty = live.querySelector("[data-testid=inbox-empty]");
      var region = fresh.querySelector(".openmash-table-scroll");
      if (empty && region) empty.replaceWith(region);
      var all = Array.prototype.slice.call(live.querySelectorAll("tbody tr"));
      all.forEach(markNew);
      return all;
    }
    var known = {};
    Array.prototype.forEach.call(body.rows, function (row) {
      known[row.dataset.share] = row;
    });
    var before = anchor();
    var top = before ? before.getBoundingClientRect().top : 0;
    var added = [];
    var freshRows = Array.prototype.slice.call(freshBody.rows);
    // From the end, so that each new row goes before the next row the page already shows (or at the end).
    var next = null;
    for (var i = freshRows.length - 1; i >= 0; i--) {
      var row = freshRows[i];
      if (known[row.dataset.share]) {
        next = known[row.dataset.share];
        continue;
      }
      var inserted = document.importNode(row, true);
      body.insertBefore(inserted, next);
      markNew(inserted);
      known[inserted.dataset.share] = inserted;
      next = inserted;
      added.unshift(inserted);
    }
    if (before) {
      var moved = before.getBoundingClientRect().top - top;
      if (moved) window.scrollBy(0, moved);
    }
    return added;
  }

  function markNew(row) {
    var cell = row.cells[0];
    if (cell.querySelector(".openmash-new")) return;
    var tag = document.createElement("strong");
    tag.className = "govuk-tag govuk-tag--yellow openmash-new";
    tag.textContent = "New";
    cell.insertBefore(document.createTextNode(" "), cell.firstChild);
    cell.insertBefore(tag, cell.firstChild);
  }

  function refresh() {
    if (reading || signedOut) return;
    reading = true;
    fetch(live.dataset.refresh, { headers: { "HX-Request": "true" }, credentials: "same-origin" })
      .then(function (response) {
        if (response.status === 401 || response.status === 403 || response.redirected) {
          showSignedOut();
          return null;
        }
        return response.ok ? response.text() : null;
      })
      .then(function (html) {
        if (html === null) return;
        var added = merge(html);
        if (added.length === 1) say(added[0].dataset.announce);
        else if (added.length > 1)
          say(added.length + " new notifications. " + added.map(function (row) { return row.dataset.announce.replace(/^New: /, ""); }).join(". "));
      })
      .catch(function () {})
      .then(function () {
        reading = false;
      });
  }

  function setPaused(value) {
    paused = value;
    if (paused) {
      pauseButton.textContent = "Resume live updates";
      say("Live updates paused. New notifications will appear when you resume.");
    } else {
      pauseButton.textContent = "Pause live updates";
      var had = waiting;
      waiting = 0;
      say("Live updates resumed.");
      if (had) refresh();
    }
  }

  pauseButton.addEventListener("click", function () {
    setPaused(!paused);
  });

  var stream = new EventSource(live.dataset.stream);
  stream.addEventListener("share", function () {
    if (paused) {
      waiting += 1;
      pauseButton.textContent = "Resume live updates (" + waiting + " new)";
      return;
    }
    refresh();
  });
  // The stream ends within seconds of the session ending: ask whether this page is still signed in.
  stream.addEventListener("error", function () {
    if (signedOut) return;
    fetch(live.dataset.refresh, { headers: { "HX-Request": "true" }, credentials: "same-origin" })
      .then(function (response) {
        if (response.status === 401 || response.status === 403 || response.redirected) showSignedOut();
      })
      .catch(function () {});
  });
})();
