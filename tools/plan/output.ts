// How the plan talks: results on stdout, colour only on a terminal; progress and refusals on stderr.
import { styleText } from "node:util";

export const paint = (format: Parameters<typeof styleText>[0], text: string) =>
  styleText(format, text, { validateStream: true, stream: process.stdout });

/** Table styles of cli-table3: coloured head and borders on a terminal only. */
export const tableStyle = () => ({ head: process.stdout.isTTY ? ["cyan"] : [], border: process.stdout.isTTY ? ["grey"] : [], compact: true });

export function progress(message: string): void {
  if (process.stderr.isTTY) process.stderr.write(`\r\x1b[K${message}`);
  else process.stderr.write(`plan: ${message}\n`);
}

export function progressDone(): void {
  if (process.stderr.isTTY) process.stderr.write("\r\x1b[K");
}

/** Bad input, or a stack the plan cannot run: exit 2 with this one line. */
export class PlanRefused extends Error {}
