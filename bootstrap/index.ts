// Entry point of the trading-bot-bootstrap Pulumi project (README, "Set-up: accounts and trust").
import { bootstrapProgram } from "./program";

export = bootstrapProgram();
