import { useEffect } from 'react';
import { ErrorCard } from './components/ErrorCard.tsx';
import { AuditScreen } from './screens/AuditScreen.tsx';
import { FlowScreen } from './screens/FlowScreen.tsx';
import { RegistryScreen } from './screens/RegistryScreen.tsx';
import { ReleasesScreen } from './screens/ReleasesScreen.tsx';
import { SettingsScreen } from './screens/SettingsScreen.tsx';
import { APP_VIEWS } from './stores/app-store.ts';
import { useApp, useStoresApi } from './stores/app-stores.ts';

export function App() {
  const { app, trust } = useStoresApi();
  const view = useApp((s) => s.view);
  const info = useApp((s) => s.info);
  const infoError = useApp((s) => s.infoError);
  const connectionLost = useApp((s) => s.connectionLost);

  useEffect(() => {
    void app.getState().loadInfo();
    void trust.getState().load();
  }, [app, trust]);

  return (
    <>
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="app-header">
        <div className="brand">
          <span className="brand-mark" aria-hidden="true">
            ◆
          </span>{' '}
          Airlock
        </div>
        {info && <span className="mode-label">{info.mode === 'console' ? 'Console mode · this computer only' : 'Desktop app'}</span>}
        <nav aria-label="Main" className="main-nav">
          <ul>
            {APP_VIEWS.map((v) => (
              <li key={v.id}>
                <button type="button" className="nav-button" aria-current={view === v.id ? 'page' : undefined} onClick={() => app.getState().show(v.id)}>
                  {v.title}
                </button>
              </li>
            ))}
          </ul>
        </nav>
      </header>
      {connectionLost && (
        <div className="banner banner-error" role="alert">
          <strong>The connection to “airlock serve” was lost.</strong> Check that it is still running (and the SSH tunnel, if any), then reload this page. A
          running verify or import was cancelled, and so was an install that had not reached its switch; nothing was left half-done.
        </div>
      )}
      <main id="main" tabIndex={-1}>
        {infoError && <ErrorCard error={infoError} focus={false} />}
        {view === 'flow' && <FlowScreen />}
        {view === 'releases' && <ReleasesScreen />}
        {view === 'registry' && <RegistryScreen />}
        {view === 'audit' && <AuditScreen />}
        {view === 'settings' && <SettingsScreen />}
      </main>
      <footer className="app-footer">
        {info && (
          <p>
            Airlock {info.version} · data folder <code>{info.dataDir}</code>
          </p>
        )}
      </footer>
    </>
  );
}
