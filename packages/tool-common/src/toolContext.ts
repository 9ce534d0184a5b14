// What every command-line tool is given by the launcher that started it. The project a tool
// works on is the checkout it was started from: tools/launch.js passes the real path of the
// folder above itself (the image's entry point passes its own), never a folder derived from
// where a transpiled copy lives (node_modules may be another checkout's, e.g. a shared one
// under `git worktree`) nor the working folder alone. `-C` overrides it where a tool has it.

export interface ToolContext {
  /** The real path of the project's folder (the checkout holding Pulumi.yaml). */
  projectRoot: string;
}
