// KStream.print(): where and how a stream's records are printed (Kafka Streams' Printed). Each record is one
// line, `[<label>]: <key>, <value>` unless a mapper formats it; the label defaults to the processor's name.
// The builder does no I/O: lines go to standard output or to a function given here, at processing time.

/** Formats a key or value as Java's `%s` would: null as `null`, plain objects as JSON. */
export function show(x: unknown): string {
  switch (typeof x) {
    case 'undefined':
      return 'null'
    case 'string':
      return x
    case 'number':
    case 'bigint':
    case 'boolean':
    case 'symbol':
      return x.toString()
    case 'object':
    case 'function': {
      if (x === null) return 'null'
      const own = x as { toString(): string }
      return Object.getPrototypeOf(x) === Object.prototype || Object.getPrototypeOf(x) === null
        ? JSON.stringify(x)
        : own.toString()
    }
  }
}

export class Printed<K, V> {
  private constructor(
    private readonly write: (line: string) => void,
    readonly label: string | undefined,
    /** Method-shaped, so Printed<K, V> varies with V as KStream does. */
    private readonly mapper: { format(key: K, value: V): string },
    /** The processor's name (Kafka Streams' `withName`); generated `KSTREAM-PRINTER-…` otherwise. */
    readonly name: string | undefined,
  ) {}

  /** Prints to standard output. */
  static toSysOut<K, V>(): Printed<K, V> {
    return Printed.toSink((line) => process.stdout.write(`${line}\n`))
  }

  /** Gives each line to `write` (a logger, a file stream, a test's array). */
  static toSink<K, V>(write: (line: string) => void): Printed<K, V> {
    return new Printed<K, V>(write, undefined, { format: (k, v) => `${show(k)}, ${show(v)}` }, undefined)
  }

  withLabel(label: string): Printed<K, V> {
    return new Printed(this.write, label, this.mapper, this.name)
  }

  /** Formats a record's part of the line (after `[<label>]: `). */
  withKeyValueMapper(mapper: (key: K, value: V) => string): Printed<K, V> {
    return new Printed(this.write, this.label, { format: mapper }, this.name)
  }

  withName(name: string): Printed<K, V> {
    return new Printed(this.write, this.label, this.mapper, name)
  }

  /** Prints one record for the processor named `processorName`. */
  print(processorName: string, key: K, value: V): void {
    this.write(`[${this.label ?? processorName}]: ${this.mapper.format(key, value)}`)
  }
}
