/**
 * Run in a child process with a given TZ by values.test.ts: sends canonical
 * datetimes through labsync's conversions and tedious's own encoder (as a
 * parameter and as a bulk-load value, with useUTC as the connection sets
 * it), decodes the TDS bytes with tedious's own value parser, and prints
 * what comes back, with the wall-clock value the bytes hold computed by
 * plain arithmetic (days since 1900-01-01, three-hundredths of a second).
 */
import { TYPES } from 'tedious'
import { readValue } from 'tedious/lib/value-parser.js'
import { fromCell, toBulkValue, toParameter } from '../../../src/db/dialects/mssql/mssql-values.js'
import { datetime } from '../../../src/db/column-spec.js'

const options = { useUTC: true }
const inputs: string[] = JSON.parse(process.argv[2])

function encode(value: unknown): Buffer {
  const chunks = [...TYPES.DateTime.generateParameterData({ value } as never, options as never)] as Buffer[]
  return Buffer.concat(chunks)
}

function wallClockOfBytes(bytes: Buffer): string {
  const days = bytes.readInt32LE(0)
  const ticks = bytes.readUInt32LE(4)
  const millisOfDay = Math.round((ticks * 10) / 3)
  const date = new Date(Date.UTC(1900, 0, 1 + days) + millisOfDay)
  return date.toISOString().slice(0, 23).replace('T', ' ')
}

function naive(input: string): string {
  try {
    return wallClockOfBytes(encode(TYPES.DateTime.validate(input, undefined, options as never)))
  } catch (error) {
    return `refused: ${(error as Error).message}`
  }
}

const results = inputs.map((input) => {
  const parameter = toParameter(input)
  const parameterBytes = encode(TYPES.DateTime.validate(parameter.value, undefined, options as never))
  const bulkBytes = encode(TYPES.DateTime.validate(toBulkValue(input, datetime('fecha1')), undefined, options as never))
  const read = readValue(parameterBytes, 0, { type: TYPES.DateTime } as never, options as never)
  return {
    input,
    parameterType: parameter.type.name,
    sent: wallClockOfBytes(parameterBytes),
    bulkSent: wallClockOfBytes(bulkBytes),
    readBack: fromCell(read.value, { type: TYPES.DateTime }),
    // What tedious alone makes of the string (it parses it in the process's time zone): the shift labsync avoids.
    naiveSent: naive(input),
  }
})
process.stdout.write(
  JSON.stringify({ tz: process.env.TZ, offsetMinutes: new Date(2026, 0, 1).getTimezoneOffset(), results }),
)
