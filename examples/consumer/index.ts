// pulumi config set tradingBotStack <org>/trading-bot/prod; pulumi config set onCallEmail you@example.com
import * as pulumi from "@pulumi/pulumi";
import { opsDashboard } from "./opsDashboard";

const config = new pulumi.Config();
export = opsDashboard(config.require("tradingBotStack"), config.require("onCallEmail"));
