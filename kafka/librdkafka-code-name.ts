// librdkafka's names of its numeric error codes: the native client's errors carry only the number.
import { nativeClient } from './native-client.js'

/** librdkafka's name of a numeric error code (its native errors carry only the number), e.g. -144 → ERR__FENCED. */
let codeNames: ReadonlyMap<number, string> | undefined
export function librdkafkaCodeName(code: number): string | undefined {
  codeNames ??= new Map(Object.entries(nativeClient().CODES.ERRORS).map(([name, code]) => [code, name]))
  return codeNames.get(code)
}
