/** A pipeline's files as the tree the files page shows: folders first, then files, by name. */
export interface TreeNode {
  name: string;
  /** the file's path; undefined for a folder */
  path?: string;
  children: TreeNode[];
}

export function fileTree(paths: string[]): TreeNode[] {
  const root: TreeNode = { name: "", children: [] };
  for (const p of paths) {
    const parts = p.split("/").filter(Boolean);
    let node = root;
    parts.forEach((part, i) => {
      const leaf = i === parts.length - 1;
      let next = node.children.find((c) => c.name === part && (c.path === undefined) === !leaf);
      if (!next) {
        next = { name: part, path: leaf ? p : undefined, children: [] };
        node.children.push(next);
      }
      node = next;
    });
  }
  const sort = (n: TreeNode) => {
    n.children.sort((a, b) => (a.path === undefined) === (b.path === undefined) ? a.name.localeCompare(b.name) : a.path === undefined ? -1 : 1);
    n.children.forEach(sort);
  };
  sort(root);
  return root.children;
}

/** Whether a path is one the API takes: relative, no `..`, no empty part, no backslash. */
export function validPath(p: string): boolean {
  if (!p || p.startsWith("/") || p.includes("\\") || p.length > 512) return false;
  return p.split("/").every((part) => part !== "" && part !== "." && part !== "..");
}
