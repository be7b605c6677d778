/**
 * jelou-flow/queue: the bulk sender on a BullMQ queue in Redis, for campaigns that outgrow one machine. Enqueue a list
 * once, run any number of workers anywhere, read the campaign's status; or run `sendFlowMessages` in several processes
 * on one journal in Redis (`openRedisJournal`). Every recipient is sent at most once. Needs the optional packages bullmq
 * and ioredis (`npm install bullmq ioredis`).
 *
 * @packageDocumentation
 * @module jelou-flow/queue
 */
export { enqueueCampaign } from "./enqueue.js";
export type { EnqueueCampaignOptions, EnqueueCampaignResult } from "./enqueue.js";
export { runCampaignWorker } from "./worker.js";
export type { CampaignWorkerOptions, CampaignWorkerSummary, WorkerOutcome } from "./worker.js";
export { campaignStatus, resendUnknown } from "./status.js";
export type { CampaignOptions, CampaignStatus, ListedRecipient } from "./status.js";
export { CampaignError } from "./journal.js";
export type { CampaignCounts, CampaignJob, OutcomeDetail, RecipientState } from "./journal.js";
export { QueueDependencyError } from "./load.js";
export { openRedisJournal } from "./run-journal.js";
export type { RedisJournalOpener, RedisJournalOptions } from "./run-journal.js";
