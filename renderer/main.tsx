// Renderer entry. In the desktop app the preload has put window.airlock in
// place; in console mode it is absent and the WebSocket bridge stands in for
// it, with the same surface. Nothing else in the renderer knows which face it
// runs in, except through app.info.
import '../shared/zod-jitless.ts';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import type { AirlockBridge } from '../shared/ipc-contract.ts';
import { createAirlockClient } from './api/airlock-client.ts';
import { consoleSocketUrl, createWebSocketBridge } from './api/websocket-bridge.ts';
import { App } from './App.tsx';
import { createAppStores, StoresContext } from './stores/app-stores.ts';

declare global {
  interface Window {
    airlock?: AirlockBridge;
  }
}

function bridge(): { bridge: AirlockBridge; onLost?: (listener: () => void) => void } {
  if (window.airlock) return { bridge: window.airlock };
  const ws = createWebSocketBridge(new WebSocket(consoleSocketUrl(window.location)));
  return { bridge: ws, onLost: (listener) => ws.onClosed(listener) };
}

const { bridge: airlock, onLost } = bridge();
const stores = createAppStores(createAirlockClient(airlock));
onLost?.(() => stores.app.getState().markConnectionLost());

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <StoresContext.Provider value={stores}>
      <App />
    </StoresContext.Provider>
  </StrictMode>,
);
