// A run of digits where single spaces or dashes may separate digits: "4242 4242-4242 4242".
// Runs are maximal, so a match never starts or ends next to another digit.
const DIGIT_RUN = /\d(?:[ -]?\d)*/g;
const MIN_PAN_DIGITS = 13;
const MAX_PAN_DIGITS = 19;

/** True when `digits` (ASCII digits only) passes the Luhn checksum used by payment card numbers. */
export function isLuhnValid(digits: string): boolean {
  let sum = 0;
  let double = false;
  for (let i = digits.length - 1; i >= 0; i--) {
    let d = digits.charCodeAt(i) - 48;
    if (double) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    double = !double;
  }
  return sum % 10 === 0;
}

/** How a card number is shown once masked: the last four digits only. */
export const maskedCardNumber = (digits: string): string => `•••• ${digits.slice(-4)}`;

/**
 * Replaces every card-number-like sequence in `text` with `•••• 4242` (last four digits kept): 13 to 19
 * digits, optionally grouped by single spaces or dashes, that pass the Luhn check. Used on every log line
 * so that a card number never reaches the logs, whatever message, stack or field carried it.
 *
 * @example maskCardNumbers('declined 4242 4242 4242 4242') === 'declined •••• 4242'
 */
export function maskCardNumbers(text: string): string {
  return text.replace(DIGIT_RUN, (run) => (countDigits(run) < MIN_PAN_DIGITS ? run : maskRun(run)));
}

function countDigits(run: string): number {
  let n = 0;
  for (let i = 0; i < run.length; i++) if (run.charCodeAt(i) !== 32 && run.charCodeAt(i) !== 45) n++;
  return n;
}

interface Group {
  start: number;
  end: number;
  digits: string;
}

// A run can hold more than a card number ("order 12 4242 4242 4242 4242"), so at each group, leftmost
// first, look for the longest Luhn-valid window of whole groups.
function maskRun(run: string): string {
  const groups: Group[] = [...run.matchAll(/\d+/g)].map((m) => ({
    start: m.index,
    end: m.index + m[0].length,
    digits: m[0],
  }));
  let out = '';
  let cursor = 0;
  for (let i = 0; i < groups.length; ) {
    const pan = longestPanAt(groups, i);
    if (!pan) {
      i++;
      continue;
    }
    out += run.slice(cursor, pan.start) + maskedCardNumber(pan.digits);
    cursor = pan.end;
    i = pan.next;
  }
  return out + run.slice(cursor);
}

function longestPanAt(groups: readonly Group[], from: number): (Group & { next: number }) | undefined {
  const start = groups[from]?.start ?? 0;
  let digits = '';
  let next = from;
  let found: (Group & { next: number }) | undefined;
  for (const group of groups.slice(from)) {
    next++;
    digits += group.digits;
    if (digits.length > MAX_PAN_DIGITS) break;
    if (digits.length >= MIN_PAN_DIGITS && isLuhnValid(digits))
      found = { start, end: group.end, digits, next };
  }
  return found;
}
