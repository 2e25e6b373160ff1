import type { TablePlan } from '../../db/schema-plan.js'
import type { CliContext } from '../cli-context.js'

/** Reports what an install did, or prints its statements for a DBA (--print). */
export function printPlans(context: CliContext, plans: TablePlan[], printOnly: boolean): void {
  if (printOnly) {
    const statements = plans.flatMap((plan) => plan.statements)
    if (statements.length === 0) context.out('-- nothing to do: every table and column exists')
    for (const statement of statements) context.out(`${statement};\n`)
    return
  }
  for (const plan of plans) {
    const what = !plan.exists
      ? 'created'
      : plan.statements.length > 0
        ? `added ${plan.statements.length} column(s)`
        : 'up to date'
    context.out(`${plan.table.name}: ${what}`)
  }
}
