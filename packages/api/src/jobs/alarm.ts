import { loadMailConfig, loadStageSettings } from "@tandem/core/config";
import { alarmMail, mailerFromConfig } from "@tandem/core/mail";
import { summariseAlarm } from "@tandem/core/monitoring";
import type { SNSEvent } from "aws-lambda";
import { lambdaSource } from "../lambda-source.js";
import { createLogger } from "../logger.js";

/**
 * The monitoring stack's alarm topic (stacks/monitoring.ts) calls this with each alarm's change of
 * state; it mails SUPPORT_EMAIL through the stage's own mail settings (SES or SMTP). It needs
 * only those, so it still mails when the database or other secrets are what broke. A mail that
 * cannot be sent fails the invocation, and Lambda retries it (twice, over minutes).
 */
export async function handler(event: SNSEvent): Promise<{ mailed: number }> {
  const source = await lambdaSource();
  const stage = loadStageSettings(source);
  const mail = loadMailConfig(source, { stage: stage.stage });
  const logger = createLogger({ stage: stage.stage, level: source.LOG_LEVEL });
  const mailer = mailerFromConfig(mail, { configurationSet: source.SES_CONFIGURATION_SET });
  let mailed = 0;
  for (const record of event.Records) {
    const alarm = summariseAlarm(record.Sns.Message, record.Sns.Subject ?? undefined);
    await mailer.send(alarmMail({ to: mail.supportEmail, installation: stage.app, stage: stage.stage, alarm }));
    logger.info({ alarm: alarm.name, state: alarm.state }, "alarm mailed to SUPPORT_EMAIL");
    mailed++;
  }
  return { mailed };
}
