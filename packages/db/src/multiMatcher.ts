// Finds every occurrence of many strings in a text in one pass (Aho-Corasick), whatever the
// number of strings: the leak check scans each target value once for all anonymised source
// values. The trie lives in typed arrays (22 bytes a node, a node per distinct prefix),
// not in an object or a Map per node, so a large set of source values stays small in memory.
// Strings are compared as UTF-16 code units, exactly (no case folding).

/** Node 0 is the root; 0 as a child, a failure or an output link means none. */
const root = 0;

export class MultiMatcher {
  /** The root's children by code unit (the root has many; deeper nodes have few). */
  private readonly rootChild = new Int32Array(65536);
  private firstChild = new Int32Array(1024);
  private nextSibling = new Int32Array(1024);
  private label = new Uint16Array(1024);
  /** The longest proper suffix of a node's string that is also in the trie. */
  private failure = new Int32Array(1024);
  /** 1 + the index of the pattern ending at a node, or 0. */
  private patternEnd = new Int32Array(1024);
  /** The next node along the failure links where a pattern ends. */
  private outputLink = new Int32Array(1024);
  private nodes = 1;
  private patterns = 0;
  private linked = false;

  /** Adds a pattern (not empty) before the first scan; returns its index, the same for the same string. */
  add(pattern: string): number {
    if (this.linked) throw new Error("MultiMatcher: add after scan");
    const node = this.insert(pattern);
    if (this.patternEnd[node] === 0) this.patternEnd[node] = ++this.patterns;
    return this.patternEnd[node] - 1;
  }

  /** Doubles the node arrays: values share prefixes, so the node count is far below their total length. */
  private grow(): void {
    const double = <T extends Int32Array | Uint16Array>(array: T): T => {
      const larger = new (array.constructor as new (length: number) => T)(array.length * 2);
      larger.set(array);
      return larger;
    };
    this.firstChild = double(this.firstChild);
    this.nextSibling = double(this.nextSibling);
    this.label = double(this.label);
    this.failure = double(this.failure);
    this.patternEnd = double(this.patternEnd);
    this.outputLink = double(this.outputLink);
  }

  private child(node: number, code: number): number {
    if (node === root) return this.rootChild[code];
    for (let next = this.firstChild[node]; next !== 0; next = this.nextSibling[next]) if (this.label[next] === code) return next;
    return 0;
  }

  /** The node of `pattern`, created with its prefixes where missing. */
  private insert(pattern: string): number {
    let node = root;
    for (let i = 0; i < pattern.length; i++) {
      const code = pattern.charCodeAt(i);
      let next = this.child(node, code);
      if (next === 0) {
        if (this.nodes === this.label.length) this.grow();
        next = this.nodes++;
        this.label[next] = code;
        this.nextSibling[next] = this.firstChild[node];
        this.firstChild[node] = next;
        if (node === root) this.rootChild[code] = next;
      }
      node = next;
    }
    return node;
  }

  /** Breadth first, so a node's failure is linked before its children need it. */
  private linkFailures(): void {
    const queue = new Int32Array(this.nodes);
    let tail = 0;
    for (let next = this.firstChild[root]; next !== 0; next = this.nextSibling[next]) queue[tail++] = next;
    for (let head = 0; head < tail; head++) {
      const node = queue[head];
      for (let next = this.firstChild[node]; next !== 0; next = this.nextSibling[next]) {
        this.failure[next] = this.step(this.failure[node], this.label[next]);
        const failure = this.failure[next];
        this.outputLink[next] = this.patternEnd[failure] !== 0 ? failure : this.outputLink[failure];
        queue[tail++] = next;
      }
    }
  }

  /** The node reached from `node` by one code unit, following failures where the trie has no child. */
  private step(node: number, code: number): number {
    for (;;) {
      const next = this.child(node, code);
      if (next !== 0 || node === root) return next;
      node = this.failure[node];
    }
  }

  /** Calls `onMatch` with the index of each pattern found in `text` (once per occurrence). */
  scan(text: string, onMatch: (index: number) => void): void {
    if (!this.linked) {
      this.linkFailures();
      this.linked = true;
    }
    let node = root;
    for (let i = 0; i < text.length; i++) {
      node = this.step(node, text.charCodeAt(i));
      for (let out = this.patternEnd[node] !== 0 ? node : this.outputLink[node]; out !== 0; out = this.outputLink[out]) onMatch(this.patternEnd[out] - 1);
    }
  }
}
