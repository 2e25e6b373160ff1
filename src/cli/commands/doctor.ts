import type { Command } from 'commander'
import { LabsyncError } from '../../core/errors.js'
import { doctorExitCode, formatFinding, problem, type Finding } from '../../doctor/finding.js'
import { runDoctor } from '../../doctor/run-doctor.js'
import type { CliContext } from '../cli-context.js'

export function registerDoctor(program: Command, context: CliContext): void {
  program
    .command('doctor')
    .description(
      'check the configuration, the databases, tables, columns, rights, clocks and status rows; print how to fix each problem',
    )
    .option('--json', 'print the findings as JSON')
    .action(async (options: { json?: boolean }) => {
      let findings: Finding[]
      try {
        findings = await runDoctor(context.config())
      } catch (error) {
        if (!(error instanceof LabsyncError) || error.code !== 'LABSYNC_CONFIG') throw error
        findings = [
          problem(
            'configuration',
            error.message,
            'fix the key named; `labsync init` writes a commented example',
            'config',
          ),
        ]
      }
      if (options.json) context.out(JSON.stringify(findings, null, 2))
      else for (const finding of findings) for (const line of formatFinding(finding)) context.out(line)
      const problems = findings.filter((finding) => finding.level === 'problem').length
      const warnings = findings.filter((finding) => finding.level === 'warning').length
      if (!options.json) context.out(`doctor: ${problems} problems, ${warnings} warnings`)
      context.exitCode = doctorExitCode(findings)
    })
}
