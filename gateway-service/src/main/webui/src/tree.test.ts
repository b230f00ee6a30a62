import { describe, expect, it } from "vitest";
import { fileTree, validPath } from "./tree";

describe("the files tree", () => {
  it("nests folders, folders before files, by name", () => {
    const t = fileTree(["main.py", "lib/util.py", "lib/a/deep.sql", "README.md", "lib/b.py"]);
    expect(t.map((n) => n.name)).toEqual(["lib", "main.py", "README.md"]);
    const lib = t[0];
    expect(lib.path).toBeUndefined();
    expect(lib.children.map((n) => n.name)).toEqual(["a", "b.py", "util.py"]);
    expect(lib.children[0].children[0].path).toBe("lib/a/deep.sql");
  });
  it("has nothing for no files", () => {
    expect(fileTree([])).toEqual([]);
  });
  it("refuses paths that climb out or are absolute", () => {
    expect(validPath("lib/util.py")).toBe(true);
    for (const bad of ["", "/etc/passwd", "../x", "a/../../x", "a//b", "a\\b", "./a"]) expect(validPath(bad)).toBe(false);
  });
});
