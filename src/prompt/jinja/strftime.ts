/**
 * C's strftime in the "C" locale, local time — what `strftime_now` gives chat templates in
 * transformers (Python) and llama.cpp (C++), and how llama.cpp fills Llama 3.x's `date_string`
 * (`%d %b %Y`). Unknown conversions are kept as written.
 */
const DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

const pad = (n: number, w = 2, c = '0') => String(n).padStart(w, c);

function dayOfYear(d: Date): number {
  const start = new Date(d.getFullYear(), 0, 1);
  const a = Date.UTC(d.getFullYear(), d.getMonth(), d.getDate());
  const b = Date.UTC(start.getFullYear(), 0, 1);
  return Math.floor((a - b) / 86_400_000) + 1;
}

export function strftime(d: Date, format: string): string {
  return format.replace(/%([a-zA-Z%])/g, (all, c: string) => {
    switch (c) {
      case 'Y':
        return String(d.getFullYear());
      case 'y':
        return pad(d.getFullYear() % 100);
      case 'm':
        return pad(d.getMonth() + 1);
      case 'd':
        return pad(d.getDate());
      case 'e':
        return pad(d.getDate(), 2, ' ');
      case 'b':
      case 'h':
        return MONTHS[d.getMonth()]!.slice(0, 3);
      case 'B':
        return MONTHS[d.getMonth()]!;
      case 'a':
        return DAYS[d.getDay()]!.slice(0, 3);
      case 'A':
        return DAYS[d.getDay()]!;
      case 'H':
        return pad(d.getHours());
      case 'I':
        return pad(d.getHours() % 12 === 0 ? 12 : d.getHours() % 12);
      case 'p':
        return d.getHours() < 12 ? 'AM' : 'PM';
      case 'M':
        return pad(d.getMinutes());
      case 'S':
        return pad(d.getSeconds());
      case 'j':
        return pad(dayOfYear(d), 3);
      case 'F':
        return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
      case 'T':
        return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
      case '%':
        return '%';
      default:
        return all;
    }
  });
}
