// Small page helpers called from the components, and the start of the page's circuit.
window.playground = {
  // Remembers the theme choice for a year, so the next page renders in it from the start.
  rememberTheme(name, value) {
    document.cookie = `${name}=${encodeURIComponent(value)}; path=/; max-age=31536000; samesite=lax`;
  },

  // Brings an element to the top of the screen unless it already starts in the upper third
  // (Run on a phone, where the timeline sits below the form).
  reveal(element) {
    if (!element) {
      return;
    }
    const top = element.getBoundingClientRect().top;
    if (top < 0 || top > window.innerHeight / 3) {
      element.scrollIntoView({ behavior: 'smooth', block: 'start' });
    }
  },
};

// The system's scheme, for the server to render the next page in it from the start.
(() => {
  const dark = window.matchMedia && window.matchMedia('(prefers-color-scheme: dark)').matches;
  document.cookie = `pg-scheme=${dark ? 'dark' : 'light'}; path=/; max-age=31536000; samesite=lax`;
})();

// A call between the page and the server that starts while the connection is down (a zoom that
// tells the server the view stopped following, a result of the server's call into the page) fails
// inside the framework with the transport's own error, which no caller can catch. The banner has
// told the reader already and the page goes on with what it has, so that one error is not an
// error of the page.
const DISCONNECTED = "Cannot send data if the connection is not in the 'Connected' State.";
window.addEventListener('unhandledrejection', e => {
  if (e.reason instanceof Error && e.reason.message === DISCONNECTED) {
    e.preventDefault();
  }
});

// A lost connection is told to the reader by the banner in their language; the transport's own
// messages would only flood the console. Retries start at once, then every few seconds.
Blazor.start({
  circuit: {
    logLevel: 5 /* Critical: failed reconnection attempts are not errors of the page */,
    configureSignalR: builder => builder.configureLogging(6 /* signalR.LogLevel.None */),
    reconnectionOptions: {
      maxRetries: 60,
      retryIntervalMilliseconds: (attempt, max) => (max && attempt >= max ? null : attempt < 2 ? 500 : 3000),
    },
  },
});
