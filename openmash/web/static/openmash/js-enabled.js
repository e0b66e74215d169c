// Runs first in <body> so GOV.UK Frontend's JavaScript-only styles apply before the first paint.
document.body.className += " js-enabled" + ("noModule" in HTMLScriptElement.prototype ? " govuk-frontend-supported" : "");
