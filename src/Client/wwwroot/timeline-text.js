// The words and numbers of the timeline, in the reader's language: templates by key from the page,
// numbers and durations in its culture.

/** Fills {name} placeholders; unknown names stay as they are. */
export function fillTemplate(template, args) {
  if (!args) {
    return template;
  }
  return template.replace(/\{(\w+)\}/g, (whole, name) => (Object.prototype.hasOwnProperty.call(args, name) ? String(args[name]) : whole));
}

/** The page's strings and culture: templates by key, numbers and durations in the reader's format. */
export class Texts {
  constructor(strings, culture) {
    this.strings = strings && typeof strings === 'object' ? strings : {};
    this.culture = culture || 'en';
    this.fixedFormats = new Map();
    try {
      this.countFormat = new Intl.NumberFormat(this.culture);
    } catch {
      this.culture = 'en';
      this.countFormat = new Intl.NumberFormat('en');
    }
  }

  has(key) {
    return Object.prototype.hasOwnProperty.call(this.strings, key);
  }

  /** The template for key, filled; a missing key shows itself so it is noticed, never blank. */
  get(key, args) {
    return fillTemplate(this.has(key) ? this.strings[key] : key, args);
  }

  /** The first of keys that exists, filled, or null. */
  pick(keys, args) {
    for (const key of keys) {
      if (this.has(key)) {
        return fillTemplate(this.strings[key], args);
      }
    }
    return null;
  }

  /** A resource in words ("lot:full" → "parking lot full"); an unknown one shows its own name. */
  resource(name) {
    if (name === null || name === undefined || name === '') {
      return '';
    }
    return this.has('resource.' + name) ? this.strings['resource.' + name] : String(name);
  }

  count(n) {
    return this.countFormat.format(n);
  }

  fixed(value, decimals) {
    let f = this.fixedFormats.get(decimals);
    if (!f) {
      f = new Intl.NumberFormat(this.culture, { minimumFractionDigits: decimals, maximumFractionDigits: decimals });
      this.fixedFormats.set(decimals, f);
    }
    return f.format(value);
  }

  /** A length of time, in the unit that keeps three significant digits. */
  duration(ns) {
    const a = Math.abs(ns);
    const digits = v => (v < 10 ? 2 : v < 100 ? 1 : 0);
    if (a < 1e3) {
      return this.get('unit.ns', { value: this.fixed(ns, 0) });
    }
    if (a < 1e6) {
      return this.get('unit.us', { value: this.fixed(ns / 1e3, digits(a / 1e3)) });
    }
    if (a < 1e9) {
      return this.get('unit.ms', { value: this.fixed(ns / 1e6, digits(a / 1e6)) });
    }
    return this.get('unit.s', { value: this.fixed(ns / 1e9, digits(a / 1e9)) });
  }

  /** A moment of the run, in seconds since it started. */
  seconds(ns, decimals) {
    return this.get('unit.s', { value: this.fixed(ns / 1e9, decimals) });
  }
}
