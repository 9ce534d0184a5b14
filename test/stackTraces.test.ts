// Runs under mocks go without stack traces (tools/engine/stackTraces.ts): the same result,
// the process's limit given back, and a failing program's error with its stack all the same.
import { strict as assert } from "node:assert";
import * as aws from "@pulumi/aws";
import { runUnderMocks } from "../tools/engine/mockRun";
import { withoutStackTraces } from "../tools/engine/stackTraces";

const file = { stack: "dev", config: { "aws:region": "us-east-1" }, secretKeys: [] };

function programThatFails(): never {
  throw new Error("the program failed");
}

describe("runs under mocks without stack traces", () => {
  it("captures none while the program runs, and gives the limit back", async () => {
    const limitBefore = Error.stackTraceLimit;
    let limitInside: number | undefined;
    const result = await runUnderMocks(file, () => {
      limitInside = Error.stackTraceLimit;
      new aws.s3.Bucket("b", { bucket: "trading-bot-b" });
      return {};
    });
    assert.equal(limitInside, 0);
    assert.equal(Error.stackTraceLimit, limitBefore);
    assert.deepEqual(result.resources.filter((r) => r.type === "aws:s3/bucket:Bucket").map((r) => r.inputs.bucket), ["trading-bot-b"]);
  });

  it("runs a failing program again with stack traces, so its error says where it came from", async () => {
    const limitBefore = Error.stackTraceLimit;
    await assert.rejects(runUnderMocks(file, programThatFails), (error: Error) => {
      assert.equal(error.message, "the program failed");
      assert.match(error.stack ?? "", /programThatFails/);
      return true;
    });
    assert.equal(Error.stackTraceLimit, limitBefore);
  });

  it("restores the limit only when the last of overlapping calls ends, failed or not", async () => {
    const limitBefore = Error.stackTraceLimit;
    let releaseFirst!: () => void;
    const first = withoutStackTraces(() => new Promise<void>((resolve) => (releaseFirst = resolve)));
    const second = withoutStackTraces(async () => {
      throw new Error("second");
    });
    await assert.rejects(second, { message: "second" });
    assert.equal(Error.stackTraceLimit, 0, "the first call still runs");
    releaseFirst();
    await first;
    assert.equal(Error.stackTraceLimit, limitBefore);
  });
});
