import type { CompiledSql } from '../../src/db/database.js'

/** A statement written out by hand, for a test's own set-up and checks on a connection. */
export const plain = (sql: string, parameters: readonly unknown[] = []): CompiledSql => ({ sql, parameters })
