// Optional: remembers the region chosen on /help in this browser only (localStorage), so the
// right numbers come first next time. Nothing is sent anywhere; the page works without it.
(function () {
  "use strict";
  var key = "forum-help-region";
  var params = new URLSearchParams(window.location.search);
  var chosen = params.get("region");
  try {
    if (chosen) {
      window.localStorage.setItem(key, chosen);
    } else {
      var remembered = window.localStorage.getItem(key);
      if (remembered && /^[a-z]{2,8}$/.test(remembered)) {
        params.set("region", remembered);
        window.location.replace(window.location.pathname + "?" + params.toString() + window.location.hash);
      }
    }
  } catch (e) {
    // Storage may be disabled; the page still works.
  }
})();
