// The admin tools of a secured local cluster, run through Kafka's own CLI classes against its PLAINTEXT
// super-user listener (secured-listener.ts): SCRAM users through the admin API (ConfigCommand →
// AlterUserScramCredentials) and ACLs (AclCommand → CreateAcls). Each change is waited for until the
// broker reports it (its metadata follows the controller a moment later), so a client started after the
// call sees it.
import { aclsCommandArguments, type AclBinding } from '../../kafka/acl-binding.js'
import type { ScramUser } from './secured-listener.js'
import { SetupError } from './setup-error.js'

type RunTool = (mainClass: string, args: readonly string[]) => Promise<{ code: number; output: string }>

export class SecuredAdmin {
  constructor(
    private readonly bootstrap: string,
    private readonly runTool: RunTool,
  ) {}

  /** Runs a tool; its output, quoted in an error, has `secret` (the tool echoes its arguments) redacted. */
  private async tool(mainClass: string, args: readonly string[], secret?: string): Promise<string> {
    const { code, output } = await this.runTool(mainClass, ['--bootstrap-server', this.bootstrap, ...args])
    if (code !== 0) {
      const shown = secret === undefined ? output : output.split(secret).join('[redacted]')
      throw new SetupError('TOOL_FAILED', `${mainClass} ${args[0]} failed (exit ${code}):\n${shown}`)
    }
    return output
  }

  /**
   * Creates (or changes) a SCRAM user, one request per mechanism (Kafka refuses two changes of one user in
   * a request), and waits until the broker describes both.
   */
  async addScramUser(user: ScramUser, timeoutMs = 30_000): Promise<void> {
    for (const mechanism of ['SCRAM-SHA-256', 'SCRAM-SHA-512'])
      await this.tool(
        'kafka.admin.ConfigCommand',
        [
          '--alter',
          '--add-config',
          `${mechanism}=[password=${user.password}]`,
          '--entity-type',
          'users',
          '--entity-name',
          user.name,
        ],
        user.password,
      )
    await this.until(timeoutMs, `SCRAM user ${user.name}`, async () => {
      const output = await this.tool('kafka.admin.ConfigCommand', [
        '--describe',
        '--entity-type',
        'users',
        '--entity-name',
        user.name,
      ])
      return output.includes('SCRAM-SHA-512') && output.includes('SCRAM-SHA-256')
    })
  }

  /** Grants the ACLs to `principal` (e.g. `User:app`) and waits until the broker lists them all. */
  async addAcls(principal: string, bindings: readonly AclBinding[], timeoutMs = 30_000): Promise<void> {
    // one command per operation and pattern type: each is a JVM start
    const groups = new Map<string, AclBinding[]>()
    for (const binding of bindings) {
      const key = `${binding.operation} ${binding.patternType}`
      groups.set(key, [...(groups.get(key) ?? []), binding])
    }
    for (const group of groups.values())
      await this.tool('org.apache.kafka.tools.AclCommand', [
        ...aclsCommandArguments(principal, group),
        '--force',
      ])
    await this.until(timeoutMs, `ACLs of ${principal}`, async () => {
      const output = await this.tool('org.apache.kafka.tools.AclCommand', [
        '--list',
        '--principal',
        principal,
      ])
      const listed = output.split('\n').filter((line) => line.includes(`principal=${principal}`)).length
      return (
        listed >=
        new Set(bindings.map((b) => `${b.resourceType} ${b.name} ${b.patternType} ${b.operation}`)).size
      )
    })
  }

  private async until(timeoutMs: number, what: string, check: () => Promise<boolean>): Promise<void> {
    const deadline = Date.now() + timeoutMs
    while (!(await check())) {
      if (Date.now() > deadline)
        throw new SetupError('TOOL_FAILED', `${what} not visible on the broker after ${timeoutMs} ms`)
    }
  }
}
