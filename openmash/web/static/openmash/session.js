// Session timeout warning (the GOV.UK pattern, WCAG 2.2.1): a modal dialog some minutes before the session
// ends, whose "Stay signed in" starts the session's time again. What was typed into the page's forms is kept
// in this tab's sessionStorage when the warning opens and when the session ends, and put back once the same
// page is opened after signing in again. It is never sent anywhere.
(function () {
  var KEY = "openmash:typed:" + location.pathname;
  var SKIP = { hidden: 1, password: 1, submit: 1, button: 1, reset: 1, file: 1, image: 1 };

  function postForms() {
    return Array.prototype.filter.call(document.querySelectorAll("main form"), function (form) {
      return (form.getAttribute("method") || "get").toLowerCase() === "post";
    });
  }

  function keepTyped() {
    var fields = [];
    var typed = false;
    postForms().forEach(function (form, index) {
      Array.prototype.forEach.call(form.elements, function (element) {
        if (!element.name || SKIP[element.type]) return;
        if (element.type === "radio" || element.type === "checkbox") {
          fields.push({ form: index, name: element.name, value: element.value, checked: element.checked });
          typed = typed || element.checked;
        } else {
          fields.push({ form: index, name: element.name, value: element.value });
          typed = typed || element.value !== "";
        }
      });
    });
    try {
      if (typed) sessionStorage.setItem(KEY, JSON.stringify(fields));
    } catch (error) {
      // Storage full or refused: nothing can be kept.
    }
  }

  function forgetTyped() {
    try {
      sessionStorage.removeItem(KEY);
    } catch (error) {}
  }

  function putBackTyped() {
    var raw = null;
    try {
      raw = sessionStorage.getItem(KEY);
    } catch (error) {}
    if (!raw) return;
    var forms = postForms();
    if (!forms.length) return;
    forgetTyped();
    JSON.parse(raw).forEach(function (field) {
      var form = forms[field.form];
      if (!form) return;
      Array.prototype.forEach.call(form.elements, function (element) {
        if (element.name !== field.name || SKIP[element.type]) return;
        if (element.type === "radio" || element.type === "checkbox") {
          if (element.value === field.value) element.checked = field.checked;
        } else if (field.value !== undefined) {
          element.value = field.value;
        }
      });
    });
    var banner = document.createElement("div");
    banner.className = "govuk-notification-banner";
    banner.setAttribute("role", "region");
    banner.setAttribute("aria-labelledby", "typed-back-title");
    banner.setAttribute("data-testid", "typed-back");
    banner.innerHTML =
      '<div class="govuk-notification-banner__header"><h2 class="govuk-notification-banner__title" id="typed-back-title">Important</h2></div>' +
      '<div class="govuk-notification-banner__content"><p class="govuk-notification-banner__heading">What you typed before you were signed out has been put back. Check it before you continue.</p></div>';
    var main = document.getElementById("main-content");
    main.insertBefore(banner, main.firstChild);
  }

  putBackTyped();

  var dialog = document.getElementById("session-timeout");
  if (!dialog || !dialog.showModal) return;
  var warning = Number(dialog.dataset.warning) * 1000;
  var endsAt = Date.now() + Number(dialog.dataset.expiresIn) * 1000;
  var timers = [];

  function schedule() {
    timers.forEach(clearTimeout);
    timers = [
      setTimeout(warn, Math.max(0, endsAt - warning - Date.now())),
      setTimeout(end, Math.max(0, endsAt - Date.now())),
    ];
  }

  function ask(method, url) {
    var headers = { Accept: "application/json" };
    // The sign-out form's token: one the page already has, so no page differs by an extra one.
    if (method === "POST") headers["X-CSRFToken"] = document.querySelector("#sign-out [name=csrfmiddlewaretoken]").value;
    return fetch(url, { method: method, headers: headers, credentials: "same-origin" }).then(function (response) {
      if (!response.ok) return 0;
      return response.json().then(function (body) {
        return body.expires_in;
      });
    });
  }

  function inWords(milliseconds) {
    var minutes = Math.ceil(milliseconds / 60000);
    if (milliseconds <= 60000) return "in less than a minute";
    return "in " + minutes + " minutes";
  }

  function warn() {
    // Another tab may have extended the session: ask before warning.
    ask("GET", dialog.dataset.timeLeft).then(function (seconds) {
      if (seconds * 1000 > warning + 5000) {
        endsAt = Date.now() + seconds * 1000;
        schedule();
        return;
      }
      keepTyped();
      dialog.querySelector("[data-countdown]").textContent = inWords(endsAt - Date.now());
      if (!dialog.open) dialog.showModal();
    });
  }

  function end() {
    ask("GET", dialog.dataset.timeLeft).then(function (seconds) {
      if (seconds > 0) {
        endsAt = Date.now() + seconds * 1000;
        schedule();
        return;
      }
      keepTyped();
      var next = location.pathname + location.search;
      location.assign(dialog.dataset.signIn + "?timed_out=1&next=" + encodeURIComponent(next));
    });
  }

  function stay() {
    ask("POST", dialog.dataset.extend).then(function (seconds) {
      if (!seconds) return end();
      endsAt = Date.now() + seconds * 1000;
      forgetTyped();
      dialog.close();
      schedule();
    });
  }

  dialog.querySelector("[data-stay]").addEventListener("click", stay);
  // Escape is "stay signed in", as in the GOV.UK pattern: closing the warning must not lose the session.
  dialog.addEventListener("cancel", function (event) {
    event.preventDefault();
    stay();
  });
  dialog.querySelector("[data-sign-out]").addEventListener("click", function () {
    forgetTyped();
    document.getElementById("sign-out").submit();
  });
  schedule();
})();
