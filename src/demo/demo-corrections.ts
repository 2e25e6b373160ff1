import type { Session } from '../db/session.js'
import type { DemoProtocolFacts } from './demo-laboratory.js'
import { chance, seededRandom } from './demo-random.js'

export interface CorrectionOptions {
  seed: number
  /** The export window: only protocols it takes are corrected or annulled, so that the change reaches the central tables. */
  exportDays: number
}

/**
 * The demo's second round, at the hospital: the laboratory corrects some
 * results (a new value, validated again now, with a remark) and annuls
 * some protocols (baja = 1), in the SIL tables. The next export carries the
 * corrections and the annulments, and the central pass applies them.
 */
export async function correctLaboratory(
  session: Session,
  protocols: readonly DemoProtocolFacts[],
  options: CorrectionOptions,
): Promise<{ edited: number; annulled: number }> {
  const random = seededRandom(options.seed * 104_729 + 17)
  const inWindow = protocols.filter(
    (protocol) =>
      protocol.exportable &&
      protocol.lastValidationDaysAgo !== null &&
      protocol.lastValidationDaysAgo < options.exportDays,
  )
  let edited = 0
  let annulled = 0
  await session.transaction(async () => {
    for (const protocol of inWindow) {
      const roll = random()
      if (roll < 0.05) {
        annulled += 1
        await session.db
          .updateTable('LAB_Protocolo')
          .set({ baja: true })
          .where('idProtocolo', '=', protocol.idProtocolo)
          .execute()
      } else if (roll < 0.15 && protocol.numericDetails.length > 0) {
        edited += 1
        const idDetalleProtocolo = protocol.numericDetails[Math.floor(random() * protocol.numericDetails.length)]
        const detail = await session.db
          .selectFrom('LAB_DetalleProtocolo')
          .select('resultadoNum')
          .where('idDetalleProtocolo', '=', idDetalleProtocolo)
          .executeTakeFirstOrThrow()
        await session.db
          .updateTable('LAB_DetalleProtocolo')
          .set({
            resultadoNum: correctedValue(String(detail.resultadoNum), chance(random, 0.5)),
            observaciones: 'Resultado corregido: se repitió la determinación.',
            fechaValida: session.dialect.now(),
          })
          .where('idDetalleProtocolo', '=', idDetalleProtocolo)
          .execute()
        await session.db
          .updateTable('LAB_Protocolo')
          .set({ observacionesResultados: 'Se corrigió un resultado\r\npor repetición de la muestra.' })
          .where('idProtocolo', '=', protocol.idProtocolo)
          .execute()
      }
    }
  })
  return { edited, annulled }
}

/** The value 10 % higher or lower, with as many decimals as it had (decimal strings, no binary float kept). */
function correctedValue(value: string, up: boolean): string {
  const decimals = value.includes('.') ? value.split('.')[1].length : 0
  return (Number(value) * (up ? 1.1 : 0.9)).toFixed(decimals)
}
