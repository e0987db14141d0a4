import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { renderGenerated } from '../../tools/gen-types.js'

describe('schemas/generated', () => {
  it('matches what tools/gen-types.ts renders from schemas/*.avsc (run `npx tsx tools/gen-types.ts`)', async () => {
    const rendered = await renderGenerated()
    for (const [file, content] of Object.entries(rendered)) {
      const committed = readFileSync(new URL(`../../schemas/generated/${file}`, import.meta.url), 'utf8')
      expect(committed, `schemas/generated/${file} drifted`).toBe(content)
    }
  })
})
