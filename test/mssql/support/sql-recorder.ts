import type { ColumnSpec } from '../../../src/db/column-spec.js'
import type { CompiledSql, DbConnection, QueryResult, TableName } from '../../../src/db/database.js'
import type { Row } from '../../../src/db/row-validator.js'
import { createMssqlDialect } from '../../../src/db/dialects/mssql/mssql-dialect.js'
import { Session } from '../../../src/db/session.js'

/**
 * A recorder of generated SQL, NOT a stand-in for a database under test:
 * SQL Server cannot run on this machine, so the SQL Server tests build a
 * Session over this DbConnection, run labsync's real code paths, and assert
 * on the exact T-SQL and parameters those paths hand to the driver. Each
 * statement gets the reply the test scripts for it (default: no rows, one
 * row changed), only so that the code path goes on to its next statement;
 * no test asserts on what such a reply makes labsync conclude.
 */
export interface RecordedStatement {
  sql: string
  parameters: unknown[]
}

export interface RecordedBulkLoad {
  table: TableName
  columns: string[]
  rows: Row[]
}

export type Reply = Partial<QueryResult> | ((statement: RecordedStatement) => Partial<QueryResult> | undefined)

export class SqlRecorder implements DbConnection {
  readonly statements: RecordedStatement[] = []
  readonly bulkLoads: RecordedBulkLoad[] = []
  /** Everything sent, in order: statements as their SQL, bulk loads as `BULK <table>`. */
  readonly log: string[] = []
  readonly #replies: Array<{ match: RegExp; reply: Reply }> = []

  /** The reply to the statements whose SQL matches `match` (the first matching rule wins). */
  reply(match: RegExp, reply: Reply): this {
    this.#replies.push({ match, reply })
    return this
  }

  async execute(query: CompiledSql): Promise<QueryResult> {
    const statement = { sql: query.sql, parameters: [...query.parameters] }
    this.statements.push(statement)
    this.log.push(query.sql)
    const rule = this.#replies.find((candidate) => candidate.match.test(query.sql))
    const reply = typeof rule?.reply === 'function' ? rule.reply(statement) : rule?.reply
    return { rows: [], numAffectedRows: 1, columns: [], ...reply }
  }

  async *stream(query: CompiledSql): AsyncIterable<Row[]> {
    this.statements.push({ sql: query.sql, parameters: [...query.parameters] })
    this.log.push(query.sql)
  }

  async bulkInsert(table: TableName, columns: readonly ColumnSpec[], batches: AsyncIterable<Row[]>): Promise<number> {
    const rows: Row[] = []
    for await (const batch of batches) rows.push(...batch)
    this.bulkLoads.push({ table, columns: columns.map((column) => column.name), rows })
    this.log.push(`BULK ${table.schema ? `${table.schema}.` : ''}${table.name}`)
    return rows.length
  }

  async release(): Promise<void> {}

  /** The one recorded statement whose SQL matches, or an error naming what was recorded. */
  only(match: RegExp): RecordedStatement {
    const found = this.statements.filter((statement) => match.test(statement.sql))
    if (found.length !== 1) {
      throw new Error(`expected one statement matching ${match}, got ${found.length}:\n${this.log.join('\n---\n')}`)
    }
    return found[0]
  }
}

/** A Session on the SQL Server dialect (URL schema `schema`) over a recorder. */
export function recordingSession(schema?: string): { session: Session; recorder: SqlRecorder } {
  const recorder = new SqlRecorder()
  return { session: new Session(createMssqlDialect(schema), recorder), recorder }
}

/** Collapses runs of white space, so that assertions read as one line per clause. */
export const oneLine = (text: string) => text.replace(/\s+/g, ' ').trim()
