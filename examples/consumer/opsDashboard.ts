import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { readTradingBotOutputs } from "../../stacks/outputs";

/**
 * What another project builds from a trading-bot stack's outputs: a CloudWatch dashboard
 * of the service and an on-call e-mail on its critical alerts.
 */
export function opsDashboard(tradingBotStack: string, onCallEmail: string) {
  const bot = readTradingBotOutputs(new pulumi.StackReference("trading-bot", { name: tradingBotStack }));

  const dashboard = new aws.cloudwatch.Dashboard("trading-bot-ops", {
    dashboardName: pulumi.interpolate`trading-bot-${bot.environment}`,
    dashboardBody: pulumi.jsonStringify({
      widgets: [
        {
          type: "metric",
          width: 12,
          height: 6,
          properties: {
            title: pulumi.interpolate`${bot.serviceName} (${bot.environment})`,
            region: bot.region,
            metrics: [
              ["AWS/ECS", "CPUUtilization", "ClusterName", bot.clusterName, "ServiceName", bot.serviceName],
              ["AWS/ECS", "MemoryUtilization", "ClusterName", bot.clusterName, "ServiceName", bot.serviceName],
            ],
          },
        },
        {
          // The bot's own heartbeat (its metric contract): the trading loops alive, each minute.
          type: "metric",
          width: 12,
          height: 6,
          properties: {
            title: pulumi.interpolate`trading loops alive (${bot.environment})`,
            region: bot.region,
            stat: "Sum",
            period: 60,
            metrics: [["TradingBot", "Heartbeat", "Environment", bot.environment]],
          },
        },
      ],
    }),
  });
  new aws.sns.TopicSubscription("on-call", {
    topic: bot.alertTopicArns.apply((topics) => topics.critical),
    protocol: "email",
    endpoint: onCallEmail,
  });

  return {
    dashboardName: dashboard.dashboardName,
    watchedService: bot.serviceArn,
    // The revision the bot's last pulumi up registered (what npm run verify-deploy checks runs).
    deployedRevision: bot.serviceTaskDefinitionArn,
    // Still a secret here: requireOutput keeps the producer's secrecy.
    databaseUrl: bot.databaseUrl,
  };
}
