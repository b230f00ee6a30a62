import { createContext, useContext } from "react";
import { NavLink, Navigate, Outlet, useNavigate, useParams } from "react-router";
import { useQuery } from "urql";
import { graphql } from "./gql";
import type { MeQuery } from "./gql/graphql";
import { ErrorBox, Loading, Empty } from "./components/Status";
import { OfflineBanner } from "./components/Offline";

const MeDoc = graphql(`
  query Me {
    me {
      name
      subject
      admin
      bindings {
        environment
        resource
        scopeKind
        permissions
        pending
      }
    }
    environments {
      name
      description
    }
  }
`);

type Me = NonNullable<MeQuery["me"]>;
export const MeContext = createContext<{ me: Me | null; environments: string[] }>({ me: null, environments: [] });

/** The signed-in person and the environments they may see. */
export function useMe() {
  return useContext(MeContext);
}

export function Layout() {
  const [{ data, fetching, error }] = useQuery({ query: MeDoc });
  const { env } = useParams();
  const navigate = useNavigate();
  if (fetching && !data) return <><OfflineBanner /><Loading what="your console" /></>;
  if (error && !data) return <main className="page"><OfflineBanner /><ErrorBox error={error} /></main>;
  const me = data?.me ?? null;
  const environments = (data?.environments ?? []).flatMap((e) => (e?.name ? [e.name] : []));
  return (
    <MeContext.Provider value={{ me, environments }}>
      <OfflineBanner />
      <header className="top">
        <strong className="brand">Dataplane</strong>
        <label>
          <span className="sr-only">Environment</span>
          <select
            aria-label="Environment"
            value={env ?? ""}
            onChange={(e) => navigate(`/e/${e.target.value}`)}
            data-testid="env-switcher"
          >
            {!env && <option value="">environment…</option>}
            {environments.map((n) => (
              <option key={n} value={n}>
                {n}
              </option>
            ))}
          </select>
        </label>
        {env && (
          <nav aria-label="Main">
            <NavLink to={`/e/${env}`} end>Home</NavLink>
            <NavLink to={`/e/${env}/pipelines`}>Pipelines</NavLink>
            <NavLink to={`/e/${env}/runs`}>Runs</NavLink>
            <NavLink to={`/e/${env}/schedules`}>Schedules</NavLink>
            <NavLink to={`/e/${env}/workers`}>Workers</NavLink>
            <NavLink to={`/e/${env}/secrets`}>Secrets</NavLink>
          </nav>
        )}
        <nav aria-label="Account">
          <NavLink to="/account/api-keys">API keys</NavLink>
          {me?.admin && <NavLink to="/admin/role-bindings">Role bindings</NavLink>}
          {me?.admin && <NavLink to="/admin/audit">Audit log</NavLink>}
        </nav>
        <span className="who">
          <span data-testid="me">{me?.name}</span>
          {me?.admin && <span className="badge">admin</span>}
          <a href="/auth/logout">Sign out</a>
        </span>
      </header>
      <main className="page">
        {env && !environments.includes(env) ? (
          <Empty>There is no environment “{env}” that you may see.</Empty>
        ) : (
          <Outlet />
        )}
      </main>
    </MeContext.Provider>
  );
}

/** `/`: the first environment the person may see. */
export function EnvRedirect() {
  const { environments } = useMe();
  if (environments.length === 0) return <Empty>You have no environment yet: ask an admin for a role binding.</Empty>;
  return <Navigate to={`/e/${environments[0]}`} replace />;
}
