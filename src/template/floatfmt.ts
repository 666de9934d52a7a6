/** Go strconv float formatting ('e', 'f', 'g' with shortest or fixed precision). */

interface Digits {
  neg: boolean;
  /** Significant decimal digits, no trailing zeros ("0" for zero). */
  d: string;
  /** Decimal point position: value = 0.d × 10^dp. */
  dp: number;
}

function decompose(x: number, sig?: number): Digits {
  const neg = x < 0 || Object.is(x, -0);
  const a = Math.abs(x);
  if (a === 0) return { neg, d: '0', dp: 1 };
  let s = sig === undefined ? a.toExponential() : a.toExponential(Math.max(sig - 1, 0));
  if (sig !== undefined && sig < 70) {
    // JS rounds exact ties up; Go rounds them to even.
    const ext = a.toExponential(Math.min(sig + 29, 100));
    const [em, ee] = ext.split('e') as [string, string];
    const digits = em.replace('.', '');
    const keep = Math.max(sig, 1);
    if (/^50*$/.test(digits.slice(keep)) && Number(digits[keep - 1]) % 2 === 0) {
      s = `${digits[0]}${keep > 1 ? `.${digits.slice(1, keep)}` : ''}e${ee}`;
    }
  }
  const [mant, exp] = s.split('e') as [string, string];
  let d = mant.replace('.', '').replace(/0+$/, '');
  if (d === '') d = '0';
  return { neg, d, dp: Number(exp) + 1 };
}

function special(x: number, plus: boolean): string | null {
  if (Number.isNaN(x)) return 'NaN';
  if (x === Infinity) return '+Inf';
  if (x === -Infinity) return '-Inf';
  void plus;
  return null;
}

function fmtE(g: Digits, prec: number, pad = true): string {
  let m = g.d[0] ?? '0';
  let rest = g.d.slice(1);
  if (pad) rest = rest.padEnd(prec, '0');
  if (prec > 0 || rest.length > 0) m += `.${rest.slice(0, Math.max(prec, 0))}`;
  const e = g.d === '0' ? 0 : g.dp - 1;
  const ae = Math.abs(e);
  return `${g.neg ? '-' : ''}${m}e${e < 0 ? '-' : '+'}${ae < 10 ? `0${ae}` : ae}`;
}

function fmtF(g: Digits, decimals: number): string {
  let intPart: string;
  let frac: string;
  if (g.dp <= 0) {
    intPart = '0';
    frac = '0'.repeat(-g.dp) + g.d;
  } else if (g.dp >= g.d.length) {
    intPart = g.d + '0'.repeat(g.dp - g.d.length);
    frac = '';
  } else {
    intPart = g.d.slice(0, g.dp);
    frac = g.d.slice(g.dp);
  }
  if (g.d === '0') intPart = '0';
  frac = frac.padEnd(decimals, '0').slice(0, decimals);
  return `${g.neg ? '-' : ''}${intPart}${decimals > 0 ? `.${frac}` : ''}`;
}

/** strconv.FormatFloat(x, fmt, prec, 64); prec < 0 means shortest. */
export function formatFloat(x: number, fmt: 'e' | 'f' | 'g', prec: number): string {
  const sp = special(x, false);
  if (sp !== null) return sp;
  const shortest = prec < 0;
  if (fmt === 'e') {
    const g = shortest ? decompose(x) : decompose(x, prec + 1);
    return fmtE(g, shortest ? g.d.length - 1 : prec);
  }
  if (fmt === 'f') {
    if (shortest) {
      const g = decompose(x);
      return fmtF(g, Math.max(g.d.length - g.dp, 0));
    }
    return fixed(x, prec);
  }
  // 'g'
  let p = prec;
  if (p === 0) p = 1;
  const g = shortest ? decompose(x) : decompose(x, p);
  if (shortest) p = g.d.length;
  let eprec = p;
  if (eprec > g.d.length && g.d.length >= g.dp) eprec = g.d.length;
  if (shortest) eprec = 6;
  const exp = g.dp - 1;
  if (g.d !== '0' && (exp < -4 || exp >= eprec)) {
    if (p > g.d.length) p = g.d.length;
    return fmtE(g, p - 1);
  }
  if (p > g.dp) p = g.d.length;
  return fmtF(g, Math.max(p - g.dp, 0));
}

function fixed(x: number, prec: number): string {
  const neg = x < 0 || Object.is(x, -0);
  const a = Math.abs(x);
  if (a < 1e21 && prec <= 70) {
    let out = a.toFixed(prec);
    // JS rounds exact ties up; Go rounds them to even.
    const ext = a.toFixed(Math.min(prec + 30, 100));
    const cut = ext.indexOf('.') + 1 + prec;
    const truncated = ext.slice(0, prec === 0 ? cut - 1 : cut);
    if (/^50*$/.test(ext.slice(cut)) && Number(truncated[truncated.length - 1]) % 2 === 0) out = truncated;
    return (neg ? '-' : '') + out;
  }
  const g = decompose(x);
  return fmtF(g, prec);
}
