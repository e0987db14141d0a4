// Names the standby system test's client and runner share (StreamsStandByReplicaTest's application id).
export const standbyApplicationId = 'kafka-streams-standby-tasks'
