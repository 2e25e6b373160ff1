import type { Command } from 'commander'
import { requireCentral } from '../../core/config.js'
import { usingSession } from '../../db/session.js'
import { readStatusReport, type EfectorReport } from '../../status/status-report.js'
import { usingDatabase, type CliContext } from '../cli-context.js'

export function registerStatus(program: Command, context: CliContext): void {
  program
    .command('status')
    .description('one line per hospital: state, last upload, last import, counts, last error')
    .option('--json', 'print the report as JSON')
    .action(async (options: { json?: boolean }) => {
      const central = requireCentral(context.config())
      const report = await usingDatabase(
        central.url,
        (database) => usingSession(database, (session) => readStatusReport(session, central)),
        { mustExist: true },
      )
      if (options.json) {
        context.out(JSON.stringify(report, null, 2))
        return
      }
      context.out(formatStatusTable(report.efectores))
    })
}

export function formatStatusTable(efectores: EfectorReport[]): string {
  const header = ['id', 'efector', 'state', 'last upload', 'last import', 'headers', 'details', 'last error']
  const rows = efectores.map((report) => [
    String(report.idEfector),
    report.nombreEfector ?? '',
    report.failed ? `${report.state}, failed` : report.state,
    report.lastUploadAt ?? 'never',
    report.lastImportAt ?? 'never',
    report.lastHeaders === null ? '' : String(report.lastHeaders),
    report.lastDetails === null ? '' : String(report.lastDetails),
    report.lastError ? oneLine(report.lastError, 70) : '',
  ])
  return formatTable(header, rows)
}

function oneLine(text: string, max: number): string {
  const line = text.replace(/\s+/g, ' ')
  return line.length > max ? `${line.slice(0, max - 1)}…` : line
}

export function formatTable(header: string[], rows: string[][]): string {
  const widths = header.map((title, index) => Math.max(title.length, ...rows.map((row) => row[index].length)))
  const line = (cells: string[]) =>
    cells
      .map((cell, index) => cell.padEnd(widths[index]))
      .join('  ')
      .trimEnd()
  return [line(header), line(widths.map((width) => '-'.repeat(width))), ...rows.map(line)].join('\n')
}
