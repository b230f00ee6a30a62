export type Perm = "READ" | "WRITE" | "DELETE" | "EXECUTE" | "RELEASE" | "SECRETS" | "ADMIN";

export interface Binding {
  environment?: string | null;
  resource?: string | null;
  scopeKind?: string | null;
  permissions?: (string | null)[] | null;
  pending?: boolean;
}

export interface MeLike {
  admin: boolean;
  bindings?: (Binding | null)[] | null;
}

/**
 * Whether the signed-in person may do `perm` in an environment (or on one pipeline of it): what the
 * console offers. The gateway checks every call again; this only hides what would be refused.
 */
export function can(me: MeLike | null | undefined, perm: Perm, environment: string, pipeline?: string): boolean {
  if (!me) return false;
  if (me.admin) return true;
  return (me.bindings ?? []).some((b) => {
    if (!b || b.pending) return false;
    const perms = b.permissions ?? [];
    if (!perms.includes(perm) && !perms.includes("ADMIN")) return false;
    switch (b.scopeKind) {
      case "PLATFORM":
        return true;
      case "ENVIRONMENT":
        return b.environment === environment;
      case "PIPELINE":
        return b.environment === environment && pipeline !== undefined && b.resource === pipeline;
      default:
        return false;
    }
  });
}
