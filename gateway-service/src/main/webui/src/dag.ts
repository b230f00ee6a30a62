import { parse } from "yaml";

export interface DagTask {
  key: string;
  dependsOn: string[];
}

/** The tasks of a draft (YAML or JSON text), as far as it parses; [] when it does not. */
export function tasksOf(definition: unknown): DagTask[] {
  let def: unknown = definition;
  if (typeof definition === "string") {
    try {
      def = parse(definition);
    } catch {
      return [];
    }
  }
  const tasks = (def as { tasks?: unknown })?.tasks;
  if (!Array.isArray(tasks)) return [];
  return tasks
    .filter((t): t is { key: unknown; dependsOn?: unknown } => typeof t === "object" && t !== null)
    .filter((t) => typeof t.key === "string")
    .map((t) => ({
      key: t.key as string,
      dependsOn: Array.isArray(t.dependsOn) ? t.dependsOn.filter((d): d is string => typeof d === "string") : [],
    }));
}

export interface ParamSpec {
  name: string;
  type: string;
  required: boolean;
  default?: unknown;
  description?: string;
}

/** A pipeline's declared params: what the start-run form asks for. */
export function paramsOf(definition: unknown): ParamSpec[] {
  let def: unknown = definition;
  if (typeof definition === "string") {
    try {
      def = parse(definition);
    } catch {
      return [];
    }
  }
  const params = (def as { params?: unknown })?.params;
  if (!params || typeof params !== "object") return [];
  return Object.entries(params as Record<string, unknown>).map(([name, spec]) => {
    const s = (spec ?? {}) as Record<string, unknown>;
    return {
      name,
      type: typeof s.type === "string" ? s.type : "string",
      required: s.required === true,
      default: s.default,
      description: typeof s.description === "string" ? s.description : undefined,
    };
  });
}

/** Form values (strings) to the run's params, typed as declared; errors by param name. */
export function coerceParams(
  specs: ParamSpec[],
  values: Record<string, string>,
): { params: Record<string, unknown>; errors: Record<string, string> } {
  const params: Record<string, unknown> = {};
  const errors: Record<string, string> = {};
  for (const p of specs) {
    const raw = (values[p.name] ?? "").trim();
    if (raw === "") {
      if (p.required && p.default === undefined) errors[p.name] = "required";
      continue;
    }
    switch (p.type) {
      case "integer":
        if (!/^-?\d+$/.test(raw)) errors[p.name] = "a whole number";
        else params[p.name] = Number(raw);
        break;
      case "number":
        if (Number.isNaN(Number(raw))) errors[p.name] = "a number";
        else params[p.name] = Number(raw);
        break;
      case "boolean":
        params[p.name] = raw === "true";
        break;
      case "object":
      case "array":
        try {
          params[p.name] = JSON.parse(raw);
        } catch {
          errors[p.name] = "JSON";
        }
        break;
      default:
        params[p.name] = raw;
    }
  }
  return { params, errors };
}
