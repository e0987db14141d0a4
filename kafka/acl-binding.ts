// Kafka ACLs as data: what a principal may do on which resources, and the `kafka-acls` arguments that
// grant it (the same words Kafka's AclCommand and its documentation use).

export const aclResourceTypes = ['TOPIC', 'GROUP', 'TRANSACTIONAL_ID', 'CLUSTER'] as const
export type AclResourceType = (typeof aclResourceTypes)[number]

export const aclOperations = [
  'READ',
  'WRITE',
  'CREATE',
  'DESCRIBE',
  'DESCRIBE_CONFIGS',
  'ALL',
  'IDEMPOTENT_WRITE',
] as const
export type AclOperation = (typeof aclOperations)[number]

/** LITERAL: exactly this name; PREFIXED: every name that starts with it. */
export type AclPatternType = 'LITERAL' | 'PREFIXED'

export interface AclBinding {
  readonly resourceType: AclResourceType
  /** The resource's name or prefix; `kafka-cluster` for the cluster. */
  readonly name: string
  readonly patternType: AclPatternType
  readonly operation: AclOperation
  /** Why the application needs it, for people reading the list. */
  readonly reason: string
}

const operationWords: Readonly<Record<AclOperation, string>> = {
  READ: 'Read',
  WRITE: 'Write',
  CREATE: 'Create',
  DESCRIBE: 'Describe',
  DESCRIBE_CONFIGS: 'DescribeConfigs',
  ALL: 'All',
  IDEMPOTENT_WRITE: 'IdempotentWrite',
}

/** The `kafka-acls --add` arguments (after `--bootstrap-server …`) granting `binding` to `principal`. */
export function aclCommandArguments(principal: string, binding: AclBinding): string[] {
  return aclsCommandArguments(principal, [binding])
}

/**
 * One `kafka-acls --add` for several bindings of one operation and pattern type (kafka-acls grants each
 * operation given on each resource given, so only those can share a command).
 */
export function aclsCommandArguments(principal: string, bindings: readonly AclBinding[]): string[] {
  const [first] = bindings
  if (!first) return []
  if (bindings.some((b) => b.operation !== first.operation || b.patternType !== first.patternType))
    throw new Error('one kafka-acls command grants one operation with one pattern type')
  const resource = (binding: AclBinding): string[] => {
    switch (binding.resourceType) {
      case 'TOPIC':
        return ['--topic', binding.name]
      case 'GROUP':
        return ['--group', binding.name]
      case 'TRANSACTIONAL_ID':
        return ['--transactional-id', binding.name]
      case 'CLUSTER':
        return ['--cluster']
    }
  }
  return [
    '--add',
    '--allow-principal',
    principal,
    '--operation',
    operationWords[first.operation],
    ...bindings.flatMap(resource),
    ...(first.patternType === 'PREFIXED' ? ['--resource-pattern-type', 'prefixed'] : []),
  ]
}
