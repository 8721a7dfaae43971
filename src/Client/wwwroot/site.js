// Small page helpers called from the components.
window.playground = {
  // Remembers the theme choice for a year, so the next page renders in it from the start.
  rememberTheme(name, value) {
    document.cookie = `${name}=${encodeURIComponent(value)}; path=/; max-age=31536000; samesite=lax`;
  },

  // Scrolls an element into view when less than half of it is visible (Run on a phone).
  reveal(element) {
    if (!element) {
      return;
    }
    const rect = element.getBoundingClientRect();
    const visible = Math.min(rect.bottom, window.innerHeight) - Math.max(rect.top, 0);
    if (visible < Math.min(rect.height, window.innerHeight) / 2) {
      element.scrollIntoView({ behavior: 'smooth', block: 'start' });
    }
  },
};
