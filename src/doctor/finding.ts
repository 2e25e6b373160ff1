/**
 * One thing `labsync doctor` found: what it checked, what it saw, and, for
 * anything short of ok, the command or SQL that fixes it. Findings name
 * tables, columns and hospitals, never row values or passwords.
 */
export type FindingLevel = 'ok' | 'warning' | 'problem'

export interface Finding {
  level: FindingLevel
  /** What was checked: `configuration`, `efector database`, `central database`, ... */
  area: string
  message: string
  /** The command or SQL that fixes it. */
  fix?: string
  /** What kind of problem, for the exit status: a configuration error (2), an unreachable database (3), or anything else (1). */
  kind?: 'config' | 'unreachable'
}

export const ok = (area: string, message: string): Finding => ({ level: 'ok', area, message })
export const warning = (area: string, message: string, fix?: string): Finding => ({
  level: 'warning',
  area,
  message,
  fix,
})
export const problem = (area: string, message: string, fix?: string, kind?: Finding['kind']): Finding => ({
  level: 'problem',
  area,
  message,
  fix,
  kind,
})

/** Exit status of doctor: 0 nothing wrong (warnings allowed), 2 configuration, 3 a database unreachable, 1 any other problem. */
export function doctorExitCode(findings: readonly Finding[]): number {
  const problems = findings.filter((finding) => finding.level === 'problem')
  if (problems.length === 0) return 0
  if (problems.some((finding) => finding.kind === 'config')) return 2
  if (problems.some((finding) => finding.kind === 'unreachable')) return 3
  return 1
}

const LABEL: Record<FindingLevel, string> = { ok: 'ok', warning: 'WARNING', problem: 'PROBLEM' }

export function formatFinding(finding: Finding): string[] {
  const lines = [`${LABEL[finding.level].padEnd(8)} ${finding.area}: ${finding.message}`]
  if (finding.fix)
    lines.push(
      ...finding.fix.split('\n').map((line, index) => `${' '.repeat(9)}${index === 0 ? 'fix: ' : '     '}${line}`),
    )
  return lines
}
