/**
 * A syntax check of RE2 patterns, so that a `regex` filter the engines would refuse is a 400
 * naming its path before any SQL runs (DuckDB's regexp_matches and ClickHouse's match() both
 * compile RE2). It accepts a subset of RE2, never more: a pattern it passes compiles on both
 * engines (test/engine/regex-patterns.test.ts runs each accepted case on them). Left out, with a
 * message saying so: backreferences and octal escapes other than `\0`, `\C`, named groups other
 * than `(?P<name>...)`, lookarounds, repetitions of an anchor or word boundary, Unicode classes
 * outside UNICODE_CLASSES, and patterns whose compiled program would pass the engines' memory
 * bound (see COST).
 */

/** Longest pattern a filter takes. */
export const MAX_PATTERN = 200;

/** RE2's bound on counted repetition, also on the product of nested ones. */
const MAX_REPEAT = 1000;

const PERL_CLASSES = 'dDsSwW';
const ASSERTIONS = 'bBAz';
const CONTROL_ESCAPES = 'afnrtv';
const POSIX_CLASSES = [
  'alnum',
  'alpha',
  'ascii',
  'blank',
  'cntrl',
  'digit',
  'graph',
  'lower',
  'print',
  'punct',
  'space',
  'upper',
  'word',
  'xdigit',
];
/** Unicode general categories and the scripts most asked for; RE2 knows more, we accept these. */
export const UNICODE_CLASSES = new Set([
  'Any',
  ...'C Cc Cf Co Cs L Ll Lm Lo Lt Lu M Mc Me Mn N Nd Nl No P Pc Pd Pe Pf Pi Po Ps S Sc Sk Sm So Z Zl Zp Zs'.split(
    ' ',
  ),
  ...'Arabic Armenian Bengali Cyrillic Devanagari Georgian Greek Han Hangul Hebrew Hiragana Katakana Latin Thai'.split(
    ' ',
  ),
]);

class Bad extends Error {}

function bad(message: string): never {
  throw new Bad(message);
}

/** A cursor over the pattern's code points. */
class Reader {
  private k = 0;
  readonly cps: string[];
  constructor(pattern: string) {
    // Code points, as RE2 reads UTF-8: a character outside the BMP is one atom.
    this.cps = Array.from(pattern);
  }
  get done(): boolean {
    return this.k >= this.cps.length;
  }
  peek(ahead = 0): string | undefined {
    return this.cps[this.k + ahead];
  }
  next(): string {
    const c = this.cps[this.k++];
    if (c === undefined) bad('ends too early');
    return c;
  }
  eat(s: string): boolean {
    const cs = Array.from(s);
    if (cs.some((c, j) => this.cps[this.k + j] !== c)) return false;
    this.k += cs.length;
    return true;
  }
}

const isDigit = (c: string | undefined): boolean => c !== undefined && c >= '0' && c <= '9';
const isPunct = (c: string): boolean => /^[!-/:-@[-`{-~]$/.test(c);

/** `\p{Name}`, `\pL`, `\P...`: the class name after the `p`. */
function unicodeClass(r: Reader): void {
  let name: string;
  if (r.eat('{')) {
    name = '';
    while (r.peek() !== '}') name += r.next();
    r.next();
    if (name.startsWith('^')) name = name.slice(1);
  } else name = r.next();
  if (!UNICODE_CLASSES.has(name)) bad(`\\p{${name}} is not a Unicode class this filter knows`);
}

/** What an escape stands for: a literal code point, a class, or an assertion, and its cost. */
interface Escaped {
  literal: number | null;
  assertion: boolean;
  cost: number;
}

/**
 * Program cost, roughly RE2's instructions: a Unicode class such as `\pL` compiles to hundreds
 * (DuckDB and ClickHouse refuse `\pL{500}` as too large; `\pL{300}` compiles). The budget keeps
 * every accepted pattern below that, with a margin.
 */
const COST = { literal: 1, wide: 10, unicode: 1000, budget: 250_000 } as const;

/** One escape after its backslash. */
function escape(r: Reader, inClass: boolean): Escaped {
  const c = r.next();
  if (PERL_CLASSES.includes(c)) return { literal: null, assertion: false, cost: COST.wide };
  if (c === 'p' || c === 'P') {
    unicodeClass(r);
    return { literal: null, assertion: false, cost: COST.unicode };
  }
  if (!inClass && ASSERTIONS.includes(c)) return { literal: null, assertion: true, cost: COST.literal };
  const lit = (v: number): Escaped => ({
    literal: v,
    assertion: false,
    cost: v < 0x80 ? COST.literal : COST.wide,
  });
  if (CONTROL_ESCAPES.includes(c)) return lit(1);
  if (c === '0') {
    let v = 0;
    for (let j = 0; j < 2 && /^[0-7]$/.test(r.peek() ?? ''); j++) v = v * 8 + Number(r.next());
    return lit(v);
  }
  if (isDigit(c)) bad(`\\${c}: backreferences and octal escapes are not supported (RE2)`);
  if (c === 'x') {
    let hex = '';
    if (r.eat('{')) {
      while (r.peek() !== '}') hex += r.next();
      r.next();
    } else hex = r.next() + r.next();
    if (!/^[0-9A-Fa-f]+$/.test(hex) || parseInt(hex, 16) > 0x10ffff)
      bad(`\\x${hex}: not a hex character code`);
    return lit(parseInt(hex, 16));
  }
  if (isPunct(c)) return lit(c.codePointAt(0)!);
  return bad(`\\${c} is not an escape RE2 knows`);
}

/** A bracket class after its `[`: its cost. */
function charClass(r: Reader): number {
  let cost = r.eat('^') ? COST.wide : 0;
  let first = true;
  for (;;) {
    if (r.done) bad('missing ] at the end of a character class');
    if (r.peek() === ']' && !first) {
      r.next();
      return Math.max(cost, COST.literal);
    }
    first = false;
    if (r.eat('[:')) {
      let name = '';
      while (!r.eat(':]')) name += r.next();
      if (!POSIX_CLASSES.includes(name.replace(/^\^/, ''))) bad(`[:${name}:] is not a POSIX class`);
      cost += COST.wide;
      continue;
    }
    const lo = classAtom(r);
    cost += lo.cost;
    if (r.peek() === '-' && r.peek(1) !== ']' && r.peek(1) !== undefined) {
      r.next();
      const hi = classAtom(r);
      cost += hi.cost;
      if (lo.literal === null || hi.literal === null)
        bad('a range in a character class must be between two characters');
      if (hi.literal < lo.literal) bad('a range in a character class runs backwards');
    }
  }
}

/** A class member: its code point (null for an escape class such as `\d`) and cost. */
function classAtom(r: Reader): Escaped {
  const c = r.next();
  if (c !== '\\') {
    const v = c.codePointAt(0)!;
    return { literal: v, assertion: false, cost: v < 0x80 ? COST.literal : COST.wide };
  }
  if (r.eat('Q')) bad('\\Q inside a character class is not supported');
  return escape(r, true);
}

/**
 * After a `{`: the count's bound (`{n}`, `{n,}` = n, `{n,m}` = m), consuming it, or null when
 * the text is no count (RE2 reads such a `{` as a literal brace) with nothing consumed.
 */
function countAfterBrace(r: Reader): number | null {
  let j = 0;
  let text = '';
  for (let c = r.peek(j); c !== undefined && c !== '}'; c = r.peek(++j)) text += c;
  const m = r.peek(j) === '}' ? /^(\d+)(,(\d*))?$/.exec(text) : null;
  if (!m) return null;
  for (let k = 0; k <= j; k++) r.next();
  const n = Number(m[1]);
  const hi = m[2] === undefined || m[3] === '' ? n : Number(m[3]);
  if (n > MAX_REPEAT || hi > MAX_REPEAT || hi < n)
    bad(`bad repetition {${text}}: counts are 0-${MAX_REPEAT}, low first`);
  return hi;
}

/** Group flags after `(?`: returns whether the group has a body (`:`) or only sets flags. */
function groupFlags(r: Reader): boolean {
  let seen = '';
  let negated = false;
  let sinceMinus = 0;
  if ('=!<'.includes(r.peek() ?? ''))
    bad('lookarounds (?= (?! (?<= (?<! and named groups (?<name> are not supported; (?P<name> is');
  for (;;) {
    const c = r.next();
    if (c === ':' || c === ')') {
      if (seen.length === 0 || (negated && sinceMinus === 0)) bad('bad group flags');
      return c === ':';
    }
    if (c === '-' && !negated) {
      negated = true;
      continue;
    }
    if (!'imsU'.includes(c) || seen.includes(c)) bad(`(?${seen}${c}: flags are i, m, s and U, each once`);
    seen += c;
    if (negated) sinceMinus++;
  }
}

/** What a parsed alternation holds: the largest product of nested counts, and its cost. */
interface Parsed {
  scale: number;
  cost: number;
}

/** A group after its `(`: its body, or nothing for a flags-only group such as `(?i)`. */
function group(r: Reader, depth: number): Parsed | null {
  if (r.eat('?')) {
    if (r.eat('P<')) {
      let name = '';
      while (r.peek() !== '>') name += r.next();
      r.next();
      if (!/^[A-Za-z0-9_]+$/.test(name)) bad(`bad group name ${name}`);
    } else if (!r.eat(':') && !groupFlags(r)) return null;
  }
  return alternation(r, depth + 1);
}

/**
 * Parse an alternation up to its `)` (when `depth` > 0) or the end: the largest product of
 * nested counted repetitions inside it, which RE2 holds to MAX_REPEAT, and its cost.
 */
function alternation(r: Reader, depth: number): Parsed {
  // What the last item was: nothing to repeat, an atom, an anchor, or an atom already repeated.
  let last: 'none' | 'atom' | 'assertion' | 'repeated' = 'none';
  let lastScale = 1;
  let lastCost = 0;
  let scale = 1;
  let cost = 0;
  for (;;) {
    if (r.done) {
      if (depth > 0) bad('missing ) at the end');
      return { scale, cost };
    }
    const c = r.next();
    if (c === ')') {
      if (depth === 0) bad('unexpected )');
      return { scale, cost };
    }
    // *, + and ? compile their atom once (RE2 counts only {n,m}); a `{` that is no count is a literal.
    let factor: number | null = c === '*' || c === '+' || c === '?' ? 1 : null;
    if (c === '{') factor = countAfterBrace(r);
    if (factor !== null) {
      if (last === 'none') bad(`missing argument to repetition operator ${c}`);
      if (last === 'assertion') bad(`${c} repeats an anchor or boundary; not supported`);
      if (last === 'repeated') bad(`bad repetition operator: ${c} after another`);
      r.eat('?');
      last = 'repeated';
      const f = Math.max(factor, 1);
      lastScale *= f;
      if (lastScale > MAX_REPEAT) bad(`nested repetitions count past ${MAX_REPEAT}`);
      scale = Math.max(scale, lastScale);
      cost += lastCost * (f - 1);
      lastCost *= f;
    } else {
      last = 'atom';
      lastScale = 1;
      lastCost = COST.literal;
      if (c === '|') last = 'none';
      else if (c === '^' || c === '$') last = 'assertion';
      else if (c === '.') lastCost = COST.wide;
      else if (c === '[') lastCost = charClass(r);
      else if (c === '\\') {
        if (r.eat('Q')) {
          while (!r.done && !r.eat('\\E')) r.next();
        } else {
          const e = escape(r, false);
          if (e.assertion) last = 'assertion';
          lastCost = e.cost;
        }
      } else if (c === '(') {
        const body = group(r, depth);
        if (body === null) last = 'none';
        else {
          lastScale = body.scale;
          lastCost = body.cost;
          scale = Math.max(scale, lastScale);
        }
      } else if (c.codePointAt(0)! >= 0x80) lastCost = COST.wide;
      cost += lastCost;
    }
    if (cost > COST.budget)
      bad('compiles too large: fewer Unicode classes (\\pL, ...) or smaller counts, please');
  }
}

/**
 * Why `pattern` is not a regex filter this service runs, or null when it is.
 *
 * @example
 * re2SyntaxError('^api/v[0-9]+/') // null
 * re2SyntaxError('(a') // 'missing ) at the end'
 */
export function re2SyntaxError(pattern: string): string | null {
  if (pattern.length === 0 || pattern.length > MAX_PATTERN)
    return `must be a pattern of 1-${MAX_PATTERN} characters`;
  try {
    alternation(new Reader(pattern), 0);
    return null;
  } catch (e) {
    if (e instanceof Bad) return e.message;
    throw e;
  }
}
