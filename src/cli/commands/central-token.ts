import type { Command } from 'commander'
import { requireCentral } from '../../core/config.js'
import { usingSession } from '../../db/session.js'
import { issueToken, listTokens, revokeTokens, rotateToken } from '../../transport/efector-tokens.js'
import { commandGroup, parseInteger, usingDatabase, type CliContext } from '../cli-context.js'

/** `labsync central token issue|revoke|rotate|list`: the hospitals' credentials for the HTTPS transport. */
export function registerCentralToken(program: Command, context: CliContext): void {
  const token = commandGroup(program, 'central', 'the central server: tables, hospitals, imports')
    .command('token')
    .description("a hospital's tokens for the HTTPS transport (stored hashed; shown once)")
  const onCentral = <T>(work: Parameters<typeof usingSession<T>>[1]) => {
    const central = requireCentral(context.config())
    return usingDatabase(central.url, (database) => usingSession(database, work))
  }
  const schema = () => requireCentral(context.config()).schema

  token
    .command('issue')
    .description('issue a new token for a hospital (its other tokens stay valid)')
    .requiredOption('--id <n>', 'idEfector', parseInteger('--id'))
    .action(async (options: { id: number }) => {
      const issued = await onCentral((session) => issueToken(session, options.id, schema()))
      context.out(
        `efector ${issued.idEfector}: token ${issued.tokenId} issued; put it in efector.https.token (it is not shown again):`,
      )
      context.out(issued.token)
    })

  token
    .command('revoke')
    .description('revoke one token of a hospital, or all of them')
    .requiredOption('--id <n>', 'idEfector', parseInteger('--id'))
    .option('--token-id <id>', 'the token to revoke (the part after lst_); default every token of the hospital')
    .action(async (options: { id: number; tokenId?: string }) => {
      const revoked = await onCentral((session) => revokeTokens(session, options.id, options.tokenId, schema()))
      context.out(`efector ${options.id}: ${revoked} token${revoked === 1 ? '' : 's'} revoked`)
    })

  token
    .command('rotate')
    .description('revoke every token of a hospital and issue a new one, in one transaction')
    .requiredOption('--id <n>', 'idEfector', parseInteger('--id'))
    .action(async (options: { id: number }) => {
      const issued = await onCentral((session) => rotateToken(session, options.id, schema()))
      context.out(
        `efector ${issued.idEfector}: ${issued.revoked} token(s) revoked, token ${issued.tokenId} issued (it is not shown again):`,
      )
      context.out(issued.token)
    })

  token
    .command('list')
    .description('tokens by hospital: id, created, revoked (never the secret)')
    .option('--id <n>', 'only this idEfector', parseInteger('--id'))
    .action(async (options: { id?: number }) => {
      const tokens = await onCentral((session) => listTokens(session, options.id, schema()))
      for (const info of tokens) {
        context.out(
          `efector ${info.idEfector}  token ${info.tokenId}  created ${info.createdAt}  ${info.revokedAt ? `revoked ${info.revokedAt}` : 'active'}`,
        )
      }
      if (tokens.length === 0) context.out('no tokens')
    })
}
