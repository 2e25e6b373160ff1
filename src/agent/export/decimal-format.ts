/**
 * Prints a decimal value rounded half away from zero to `places` decimals,
 * with exactly that many decimals and a '.' separator: 2.345 -> '2.35',
 * 0.125 (2) -> '0.13', -1.5 (0) -> '-2', 7 (1) -> '7.0'.
 *
 * The arithmetic is done on the decimal digits themselves, never through
 * binary floating point (where 1.005 is 1.00499999... and would round
 * down). `value` is a decimal string as the database returns it
 * ('2.3450', '-0.5', '1E-7'), a bigint, or a number, which is taken by
 * its shortest decimal form (`String(1.005)` is '1.005').
 *
 * Returns undefined when `value` is not a decimal number. A result that
 * rounds to zero prints without a sign ('0.00', never '-0.00'), as a
 * decimal column holds no negative zero.
 */
export function formatDecimal(value: string | number | bigint, places: number): string | undefined {
  if (!Number.isInteger(places) || places < 0) throw new RangeError(`places must be a whole number >= 0, got ${places}`)
  const parsed = parseDecimal(typeof value === 'string' ? value : String(value))
  if (!parsed) return undefined

  const { negative, digits, pointAt } = parsed
  // Keep the digits up to `places` after the point, and look at the first one dropped.
  const keep = pointAt + places
  let kept = keep <= 0 ? '' : digits.slice(0, keep).padEnd(keep, '0')
  const firstDropped = keep < 0 ? 0 : Number(digits[keep] ?? '0')
  if (firstDropped >= 5) kept = incrementDigits(kept)

  const padded = kept.padStart(places + 1, '0')
  const whole = padded.slice(0, padded.length - places).replace(/^0+(?=\d)/, '')
  const fraction = padded.slice(padded.length - places)
  const text = places > 0 ? `${whole}.${fraction}` : whole
  return negative && /[1-9]/.test(text) ? `-${text}` : text
}

interface ParsedDecimal {
  negative: boolean
  /** All significant digits, without the point. */
  digits: string
  /** How many of `digits` stand before the decimal point (may be negative or exceed the length). */
  pointAt: number
}

const DECIMAL_TEXT = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/

function parseDecimal(text: string): ParsedDecimal | undefined {
  const match = DECIMAL_TEXT.exec(text.trim())
  if (!match) return undefined
  const [, sign, whole, fraction = '', exponent = '0'] = match
  if (whole === '' && fraction === '') return undefined
  const shift = Number(exponent)
  if (!Number.isSafeInteger(shift)) return undefined
  return { negative: sign === '-', digits: whole + fraction, pointAt: whole.length + shift }
}

/** Adds one to a string of decimal digits ('0999' -> '1000', '99' -> '100', '' -> '1'). */
function incrementDigits(digits: string): string {
  const out = digits.split('')
  for (let index = out.length - 1; index >= 0; index--) {
    if (out[index] !== '9') {
      out[index] = String(Number(out[index]) + 1)
      return out.join('')
    }
    out[index] = '0'
  }
  return `1${out.join('')}`
}
