import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { Provider } from "urql";
import { RouterProvider } from "react-router";
import { makeClient } from "./api";
import { router } from "./routes";
import "./style.css";

createRoot(document.getElementById("root")!).render(
  <StrictMode>
    <Provider value={makeClient()}>
      <RouterProvider router={router} />
    </Provider>
  </StrictMode>,
);
