/** Plain-text tables for the benchmark's output. */
export function table(headings: string[], rows: (string | number)[][]): string {
  const cells = [headings, ...rows.map((row) => row.map(String))]
  const widths = headings.map((_, column) => Math.max(...cells.map((row) => (row[column] ?? '').length)))
  const line = (row: string[]) =>
    row.map((cell, column) => (column === 0 ? cell.padEnd(widths[column]) : cell.padStart(widths[column]))).join('  ')
  return [line(cells[0]), widths.map((width) => '-'.repeat(width)).join('  '), ...cells.slice(1).map(line)].join('\n')
}

export const seconds = (value: number) => value.toFixed(2)
export const perSecond = (rows: number, value: number) => Math.round(rows / value).toLocaleString('en-US')
export const megabytes = (kb: number | undefined) => (kb === undefined ? '-' : (kb / 1024).toFixed(0))
