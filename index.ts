// Entry point of the trading-bot Pulumi program. Everything that differs between stacks
// comes from Pulumi.<stack>.yaml; see stacks/config.ts for what it may hold.
import { tradingBotProgram } from "./stacks/program";

export = tradingBotProgram();
