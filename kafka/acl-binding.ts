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
  const resource: Record<AclResourceType, string[]> = {
    TOPIC: ['--topic', binding.name],
    GROUP: ['--group', binding.name],
    TRANSACTIONAL_ID: ['--transactional-id', binding.name],
    CLUSTER: ['--cluster'],
  }
  return [
    '--add',
    '--allow-principal',
    principal,
    '--operation',
    operationWords[binding.operation],
    ...resource[binding.resourceType],
    ...(binding.patternType === 'PREFIXED' ? ['--resource-pattern-type', 'prefixed'] : []),
  ]
}
