// Reading a container image reference: [registry[:port]/]repository[:tag][@digest].

export interface ImageReference {
  tag?: string;
  digest?: string;
}

export function parseImage(image: string): ImageReference {
  const at = image.indexOf("@");
  const name = at >= 0 ? image.slice(0, at) : image;
  const digest = at >= 0 ? image.slice(at + 1) : undefined;
  // A colon before the last slash is a registry port (host:5000/repo), not a tag.
  const colon = name.lastIndexOf(":");
  return { tag: colon > name.lastIndexOf("/") ? name.slice(colon + 1) : undefined, digest };
}

/** A content digest the registry cannot move: sha256 or sha512 in lower-case hex. */
export function isDigest(digest: string): boolean {
  return /^(sha256:[0-9a-f]{64}|sha512:[0-9a-f]{128})$/.test(digest);
}

/** A version (1.4.2, v1.4, 1.4.2-rc.1, 2024.11.26) or a git commit SHA of 7 to 40 hex digits. */
export const defaultVersionTagPattern = "v?\\d+(\\.\\d+){1,3}(-[0-9A-Za-z]+(\\.[0-9A-Za-z]+)*)?|[0-9a-f]{7,40}";

/**
 * Words that name a branch, a stage or a channel: a tag that is one of them, or holds one
 * between -, _ and . (1.0-latest, 1.0.0-SNAPSHOT, main-2), moves to whatever was pushed last.
 */
export const defaultMutableTags = [
  "latest", "dev", "develop", "development", "main", "master", "trunk", "head",
  "staging", "stage", "prod", "production", "test", "testing", "qa", "uat",
  "edge", "nightly", "stable", "release", "current", "snapshot", "unstable",
];

export interface TagRules {
  /** A regular expression the whole tag must match. */
  versionTagPattern: string;
  /** Words refused as a tag or as a part of one, whatever the pattern says, compared without regard to case. */
  mutableTags: string[];
}

function movingWord(tag: string, mutableTags: string[]): string | undefined {
  const words = new Set(mutableTags.map((word) => word.toLowerCase()));
  return [tag, ...tag.split(/[-_.]/)].find((part) => words.has(part.toLowerCase()));
}

/** Why `image` is not pinned, or undefined when it is. */
export function unpinnedReason(image: string, rules: TagRules): string | undefined {
  const { tag, digest } = parseImage(image);
  if (digest !== undefined) return isDigest(digest) ? undefined : `its digest ${digest} is not sha256:<64 hex digits>`;
  if (tag === undefined || tag === "") return "it has no tag, which means latest";
  const moving = movingWord(tag, rules.mutableTags);
  if (moving !== undefined) return moving === tag ? `its tag ${tag} moves to whatever is pushed next` : `its tag ${tag} names ${moving}, which moves to whatever is pushed next`;
  if (!new RegExp(`^(?:${rules.versionTagPattern})$`).test(tag)) return `its tag ${tag} is not a version or a commit SHA (versionTagPattern)`;
  return undefined;
}
