import { lazy, Suspense } from "react";
import { createBrowserRouter } from "react-router";
import { Layout, EnvRedirect } from "./Layout";
import { Loading } from "./components/Status";
import { Home } from "./pages/Home";
import { Pipelines } from "./pages/Pipelines";
import { Runs } from "./pages/Runs";
import { Workers } from "./pages/Workers";
import { Schedules } from "./pages/Schedules";
import { Secrets } from "./pages/Secrets";
import { ApiKeys } from "./pages/ApiKeys";
import { RoleBindings } from "./pages/RoleBindings";
import { AuditLog } from "./pages/AuditLog";

// the editor and the DAG are the heavy parts: loaded with the pages that use them
const PipelinePage = lazy(() => import("./pages/PipelinePage"));
const RunPage = lazy(() => import("./pages/RunPage"));
const Files = lazy(() => import("./pages/Files"));
const SchedulePage = lazy(() => import("./pages/SchedulePage"));
const TriggerPage = lazy(() => import("./pages/TriggerPage"));
const SecretPage = lazy(() => import("./pages/SecretPage"));
const lazyPage = (el: React.ReactNode) => <Suspense fallback={<Loading what="page" />}>{el}</Suspense>;

export const router = createBrowserRouter([
  {
    path: "/",
    element: <Layout />,
    children: [
      { index: true, element: <EnvRedirect /> },
      { path: "e/:env", element: <Home /> },
      { path: "e/:env/pipelines", element: <Pipelines /> },
      { path: "e/:env/pipelines/:name", element: lazyPage(<PipelinePage />) },
      { path: "e/:env/runs", element: <Runs /> },
      { path: "e/:env/runs/:id", element: lazyPage(<RunPage />) },
      { path: "e/:env/pipelines/:name/files", element: lazyPage(<Files />) },
      { path: "e/:env/workers", element: <Workers /> },
      { path: "e/:env/schedules", element: <Schedules /> },
      { path: "e/:env/schedules/:id", element: lazyPage(<SchedulePage />) },
      { path: "e/:env/triggers/:id", element: lazyPage(<TriggerPage />) },
      { path: "e/:env/secrets", element: <Secrets /> },
      { path: "e/:env/secrets/:name", element: lazyPage(<SecretPage />) },
      { path: "account/api-keys", element: <ApiKeys /> },
      { path: "admin/role-bindings", element: <RoleBindings /> },
      { path: "admin/audit", element: <AuditLog /> },
      { path: "*", element: <p>No such page.</p> },
    ],
  },
]);
