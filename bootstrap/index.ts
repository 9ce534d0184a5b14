// Entry point of the trading-bot-bootstrap Pulumi project (docs/ci-and-trust.md, "Set-up: accounts and trust").
import { bootstrapProgram } from "./program";

export = bootstrapProgram();
