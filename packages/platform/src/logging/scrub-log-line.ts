import { isLuhnValid, maskCardNumbers, maskedCardNumber } from './mask-card-numbers.ts';
import { maskUrlCredentials } from './redact-sensitive.ts';

// Cheap test a line must pass before it is tokenised: 13+ digits (maybe grouped) or a URL with userinfo.
const MIGHT_LEAK = /\d(?:[ -]?\d){12}|:\/\/[^"\s/]*@/;
// JSON string literals, and bare numbers of 14-19 digits (13-digit ones are mostly epoch milliseconds).
const JSON_TOKEN = /"(?:[^"\\]|\\.)*"|(?<![\w.-])\d{14,19}(?![\w.])/g;

/**
 * Masks card numbers and URL passwords inside one serialized JSON log line. Working on the final
 * line (pino's `streamWrite` hook) covers every way text reaches the log: messages, interpolated
 * arguments, serialized errors and their stacks, causes, bindings and fields. Only string values and
 * bare numbers are touched, so the line stays valid JSON.
 */
export function scrubLogLine(line: string): string {
  if (!MIGHT_LEAK.test(line)) return line;
  return line.replace(JSON_TOKEN, (token) =>
    token.startsWith('"') ? scrubString(token) : scrubNumber(token),
  );
}

function scrubString(literal: string): string {
  if (!MIGHT_LEAK.test(literal)) return literal;
  // Decode first: in the encoded form an escape such as `\n` would glue a letter to the digits.
  const text = JSON.parse(literal) as string;
  const scrubbed = maskUrlCredentials(maskCardNumbers(text));
  return scrubbed === text ? literal : JSON.stringify(scrubbed);
}

function scrubNumber(digits: string): string {
  return isLuhnValid(digits) ? JSON.stringify(maskedCardNumber(digits)) : digits;
}
