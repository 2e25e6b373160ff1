/**
 * Invented people and places of the demo, in the style of a hospital of
 * Corrientes (Argentina): Spanish names with accents and ñ, streets of the
 * city, requesting doctors and the biochemists who validate.
 */

export const SURNAMES = [
  'González', 'Rodríguez', 'Gómez', 'Fernández', 'López', 'Díaz', 'Martínez', 'Pérez', 'Núñez', 'Peña',
  'Ibáñez', 'Muñoz', 'Benítez', 'Acuña', 'Sánchez', 'Romero', 'Sosa', 'Álvarez', 'Ruiz Díaz', 'Giménez',
  'Cáceres', 'Ojeda', 'Maidana', 'Ramírez', 'Aquino', 'Escobar', 'Fariña', 'Zárate', 'Quiñones', 'Cardozo',
  'Báez', 'Espíndola', 'Leiva', 'Villalba', 'Ortíz', 'Meza', 'Galarza', 'Montiel', 'Gauna', 'Avalos',
  'Sotelo', 'Vallejos', 'Mendoza', 'Ferreyra', 'Castaño', 'Insaurralde', 'Ayala', 'Toledo', 'Coronel', 'Medina',
] as const

export const FEMALE_NAMES = [
  'María José', 'Lucía', 'Sofía', 'Ana Belén', 'Florencia', 'Micaela', 'Noelia', 'Rocío', 'Inés', 'Begoña',
  'Camila', 'Valentina', 'Milagros', 'María de los Ángeles', 'Julieta', 'Antonella', 'Romina', 'Mónica',
  'Graciela', 'Nélida', 'Ramona', 'Estefanía', 'Agustina', 'Zoe', 'Itatí', 'Belén', 'Verónica', 'Marisol',
] as const

export const MALE_NAMES = [
  'José Luis', 'Martín', 'Joaquín', 'Nicolás', 'Matías', 'Ramón', 'Andrés', 'Iñaki', 'Julián', 'Sebastián',
  'Tomás', 'Benjamín', 'Lautaro', 'Thiago', 'Héctor', 'Rubén', 'Germán', 'Cristian', 'Máximo', 'Agustín',
  'Ignacio', 'Facundo', 'Darío', 'Néstor', 'Raúl', 'Ezequiel', 'Santiago', 'Gastón',
] as const

export const STREETS = [
  'Av. 3 de Abril', 'Av. Maipú', 'Junín', 'Pellegrini', 'Av. Independencia', 'La Rioja', 'San Lorenzo',
  'Av. Costanera Gral. San Martín', 'Catamarca', 'Mendoza', 'Córdoba', 'Bolívar', 'Av. Ferré', 'Quintana',
  'Av. Teniente Ibáñez', 'Carlos Pellegrini', 'Santa Fe', 'Añasco', 'Av. Armenia', 'Pasaje Ñandubay',
] as const

export const NEIGHBOURHOODS = ['Bº Laguna Seca', 'Bº San Marcelo', 'Bº Quilmes', 'Bº Pirayuí', 'Bº Dr. Montaña', 'Bº Ñapendá', 'Bº Cichero'] as const

/** Localities of the province (idLocalidad, name is not exported). */
export const LOCALITY_IDS = [1801, 1802, 1803, 1807, 1812, 1815, 1820] as const
/** INDEC code of Corrientes. */
export const PROVINCE_ID = 18

export const DOCTORS = [
  'Dra. María Laura Benítez', 'Dr. Julián Acuña', 'Dra. Inés Núñez', 'Dr. Ramón Ibáñez', 'Dra. Begoña Gómez',
  'Dr. Matías Escobar', 'Dra. Rocío Peña', 'Dr. Héctor Zárate', 'Dra. Itatí Fariña', 'Dr. Germán Quiñones',
] as const

/** Sys_Usuario rows: the biochemists who validate (their signature is the exported profesional_val). */
export const VALIDATORS = [
  { idUsuario: 11, firmaValidacion: 'Bioq. Laura Sánchez - M.P. 1234' },
  { idUsuario: 12, firmaValidacion: 'Bioq. Tomás Benítez - M.P. 2210' },
  { idUsuario: 13, firmaValidacion: 'Bioq. Marta Ojeda - M.P. 3120' },
  { idUsuario: 14, firmaValidacion: 'Bioq. Ñusta Maidana - M.P. 4087' },
] as const

export const RESULT_REMARKS = [
  'Muestra levemente hemolizada.\r\nSe sugiere repetir en ayunas.',
  'Paciente  en tratamiento con anticoagulantes.\t Controlar en 7 días.',
  '  Se informa al médico tratante por valor crítico.  ',
  'Resultados\ncontrolados con segunda muestra.',
] as const
