// Reading a value back from a store: bytes the store's serde cannot read mean the store is corrupted.

import { StateStoreError } from './errors.js'
import type { Serde } from './serde.js'

/** `serde.deserialize(bytes)`; throws `STORE_CORRUPTED` (wipe and restore) naming the store if it cannot. */
export function deserializeStored<V>(serde: Serde<V>, bytes: Buffer, store: string): V {
  try {
    return serde.deserialize(bytes)
  } catch (error) {
    throw new StateStoreError('STORE_CORRUPTED', 'cannot deserialize a stored value', { cause: error, store })
  }
}
