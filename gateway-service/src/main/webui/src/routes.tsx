import { lazy, Suspense } from "react";
import { createBrowserRouter } from "react-router";
import { Layout, EnvRedirect } from "./Layout";
import { Loading } from "./components/Status";
import { Home } from "./pages/Home";
import { Pipelines } from "./pages/Pipelines";
import { Runs } from "./pages/Runs";
import { Workers } from "./pages/Workers";

// the editor and the DAG are the heavy parts: loaded with the pages that use them
const PipelinePage = lazy(() => import("./pages/PipelinePage"));
const RunPage = lazy(() => import("./pages/RunPage"));
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
      { path: "e/:env/workers", element: <Workers /> },
      { path: "*", element: <p>No such page.</p> },
    ],
  },
]);
