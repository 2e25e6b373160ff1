import { afterAll } from 'vitest'
import { removeTempFolders } from './temp-folder.js'

// A vitest setup file: runs in every test file, after all its tests.
afterAll(() => removeTempFolders())
