import { useEffect, useId, useState, type FormEvent, type ReactNode } from 'react';
import type { ErrorPayload } from '../../shared/airlock-error.ts';
import { ErrorCard } from '../components/ErrorCard.tsx';
import { Facts } from '../components/Facts.tsx';
import { useFocusOnMount } from '../components/focus.ts';
import { groupFingerprint } from '../components/signer-text.ts';
import { useApp, useSettings, useStoresApi, useTrust } from '../stores/app-stores.ts';
import type { TrustEditOutcome } from '../stores/trust-store.ts';

/** A labelled control with its error message wired up for assistive technology. */
function Field({ id, label, hint, error, children }: { id: string; label: string; hint?: string; error?: string | undefined; children: ReactNode }) {
  return (
    <div className={`field${error ? ' field-invalid' : ''}`}>
      <label htmlFor={id}>{label}</label>
      {hint && (
        <p id={`${id}-hint`} className="hint">
          {hint}
        </p>
      )}
      {children}
      {error && (
        <p id={`${id}-error`} className="field-error">
          <span aria-hidden="true">✕ </span>
          {error}
        </p>
      )}
    </div>
  );
}

function describedBy(id: string, hint: boolean, error: string | undefined): string | undefined {
  const ids = [hint ? `${id}-hint` : null, error ? `${id}-error` : null].filter(Boolean);
  return ids.length > 0 ? ids.join(' ') : undefined;
}

function useFormOutcome(): [Record<string, string>, ErrorPayload | null, (o: TrustEditOutcome) => boolean] {
  const [fieldErrors, setFieldErrors] = useState<Record<string, string>>({});
  const [error, setError] = useState<ErrorPayload | null>(null);
  const take = (o: TrustEditOutcome): boolean => {
    if (o.ok) {
      setFieldErrors({});
      setError(null);
      return true;
    }
    setFieldErrors(o.fieldErrors);
    setError(o.error);
    return false;
  };
  return [fieldErrors, error, take];
}

function PublisherNames({ id }: { id: string }) {
  const names = useTrust((s) => s.settings?.publishers);
  return (
    <datalist id={id}>
      {(names ?? []).map((p) => (
        <option key={p.name} value={p.name} />
      ))}
    </datalist>
  );
}

function AddKeyForm() {
  const id = useId();
  const { trust } = useStoresApi();
  const [publisher, setPublisher] = useState('');
  const [pem, setPem] = useState('');
  const [fileName, setFileName] = useState<string | null>(null);
  const [fileInputKey, setFileInputKey] = useState(0);
  const [busy, setBusy] = useState(false);
  const [added, setAdded] = useState<{ publisher: string; fingerprint: string | null } | null>(null);
  const [fieldErrors, error, take] = useFormOutcome();

  const submit = async (e: FormEvent): Promise<void> => {
    e.preventDefault();
    setBusy(true);
    setAdded(null);
    const outcome = await trust.getState().addKey({ publisher, pem });
    setBusy(false);
    if (take(outcome)) {
      setAdded({ publisher: publisher.trim(), fingerprint: trust.getState().lastAddedFingerprint });
      setPem('');
      setFileName(null);
      setFileInputKey((k) => k + 1);
    }
  };
  const pemError = fieldErrors.pem;
  return (
    <form className="card form" aria-labelledby={`${id}-title`} onSubmit={(e) => void submit(e)} noValidate>
      <h2 id={`${id}-title`}>Add a publisher key</h2>
      <p>Use the publisher’s public key (a PEM file with “BEGIN PUBLIC KEY”). Check its fingerprint with the publisher by another channel.</p>
      <Field id={`${id}-publisher`} label="Publisher name" hint="Your name for this publisher, e.g. the vendor." error={fieldErrors.publisher}>
        <input
          id={`${id}-publisher`}
          list={`${id}-names`}
          value={publisher}
          onChange={(e) => setPublisher(e.target.value)}
          aria-invalid={fieldErrors.publisher ? true : undefined}
          aria-describedby={describedBy(`${id}-publisher`, true, fieldErrors.publisher)}
          autoComplete="off"
        />
        <PublisherNames id={`${id}-names`} />
      </Field>
      <Field id={`${id}-file`} label="Public key file" hint={fileName ? `Read from ${fileName}.` : 'A .pem or .pub file.'}>
        <input
          key={fileInputKey}
          id={`${id}-file`}
          type="file"
          accept=".pem,.pub,.key,.txt,text/plain,application/x-pem-file"
          aria-describedby={`${id}-file-hint`}
          onChange={(e) => {
            const file = e.target.files?.[0];
            if (!file) return;
            setFileName(file.name);
            void file.text().then(setPem);
          }}
        />
      </Field>
      <Field id={`${id}-pem`} label="…or paste the key" error={pemError}>
        <textarea
          id={`${id}-pem`}
          rows={5}
          value={pem}
          onChange={(e) => setPem(e.target.value)}
          spellCheck={false}
          className="mono"
          placeholder="-----BEGIN PUBLIC KEY-----"
          aria-invalid={pemError ? true : undefined}
          aria-describedby={describedBy(`${id}-pem`, false, pemError)}
        />
      </Field>
      {error && !error.field && <ErrorCard error={error} />}
      <div className="actions">
        <button type="submit" className="button" disabled={busy}>
          {busy ? 'Adding…' : 'Add key'}
        </button>
      </div>
      <div role="status">
        {added && (
          <p className="success">
            <span aria-hidden="true">✓ </span>
            Key added for <strong>{added.publisher}</strong>
            {added.fingerprint && (
              <>
                . Fingerprint: <code className="fingerprint">{groupFingerprint(added.fingerprint)}</code>. Compare it with the fingerprint the publisher gave you
                (by phone or on paper) before you rely on it
              </>
            )}
            .
          </p>
        )}
      </div>
    </form>
  );
}

function AddKeylessForm() {
  const id = useId();
  const { trust } = useStoresApi();
  const [publisher, setPublisher] = useState('');
  const [issuer, setIssuer] = useState('');
  const [match, setMatch] = useState<'exact' | 'pattern'>('exact');
  const [subject, setSubject] = useState('');
  const [root, setRoot] = useState<'public-good' | 'file'>('public-good');
  const [rootJson, setRootJson] = useState<string | null>(null);
  const [rootName, setRootName] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState<string | null>(null);
  const [fieldErrors, error, take] = useFormOutcome();

  const submit = async (e: FormEvent): Promise<void> => {
    e.preventDefault();
    setBusy(true);
    setDone(null);
    const outcome = await trust.getState().addKeyless({
      publisher,
      issuer,
      ...(match === 'exact' ? { subject } : { subjectPattern: subject }),
      ...(root === 'file' && rootJson !== null ? { trustedRootJson: rootJson } : {}),
    });
    setBusy(false);
    if (take(outcome)) {
      setDone(publisher.trim());
      setSubject('');
    }
  };
  const subjectError = fieldErrors.subject ?? fieldErrors.subjectPattern;
  return (
    <form className="card form" aria-labelledby={`${id}-title`} onSubmit={(e) => void submit(e)} noValidate>
      <h2 id={`${id}-title`}>Add a keyless signing identity</h2>
      <p>For kits signed with Sigstore certificates: the identity provider (issuer) and the exact identity of the signer.</p>
      <Field id={`${id}-publisher`} label="Publisher name" error={fieldErrors.publisher}>
        <input
          id={`${id}-publisher`}
          list={`${id}-names`}
          value={publisher}
          onChange={(e) => setPublisher(e.target.value)}
          aria-invalid={fieldErrors.publisher ? true : undefined}
          aria-describedby={describedBy(`${id}-publisher`, false, fieldErrors.publisher)}
          autoComplete="off"
        />
        <PublisherNames id={`${id}-names`} />
      </Field>
      <Field id={`${id}-issuer`} label="Issuer URL" hint="For example https://token.actions.githubusercontent.com" error={fieldErrors.issuer}>
        <input
          id={`${id}-issuer`}
          type="url"
          value={issuer}
          onChange={(e) => setIssuer(e.target.value)}
          aria-invalid={fieldErrors.issuer ? true : undefined}
          aria-describedby={describedBy(`${id}-issuer`, true, fieldErrors.issuer)}
        />
      </Field>
      <fieldset>
        <legend>Match the signer</legend>
        <label>
          <input type="radio" name={`${id}-match`} checked={match === 'exact'} onChange={() => setMatch('exact')} /> Exactly this identity
        </label>
        <label>
          <input type="radio" name={`${id}-match`} checked={match === 'pattern'} onChange={() => setMatch('pattern')} /> A pattern starting with ^ and ending with $
        </label>
      </fieldset>
      <Field
        id={`${id}-subject`}
        label={match === 'exact' ? 'Signer identity (e-mail or URI)' : 'Identity pattern'}
        hint={match === 'exact' ? undefined : 'For example ^https://github\\.com/acme/kits/\\.github/workflows/release\\.yml@refs/tags/v[0-9.]+$'}
        error={subjectError}
      >
        <input
          id={`${id}-subject`}
          value={subject}
          onChange={(e) => setSubject(e.target.value)}
          className={match === 'pattern' ? 'mono' : undefined}
          aria-invalid={subjectError ? true : undefined}
          aria-describedby={describedBy(`${id}-subject`, match === 'pattern', subjectError)}
        />
      </Field>
      <fieldset>
        <legend>Sigstore trusted root</legend>
        <label>
          <input type="radio" name={`${id}-root`} checked={root === 'public-good'} onChange={() => setRoot('public-good')} /> The public Sigstore instance
          (pinned in Airlock)
        </label>
        <label>
          <input type="radio" name={`${id}-root`} checked={root === 'file'} onChange={() => setRoot('file')} /> A private instance: its trusted_root.json
        </label>
        {root === 'file' && (
          <Field id={`${id}-root-file`} label="trusted_root.json" hint={rootName ? `Read from ${rootName}.` : undefined} error={fieldErrors.trustedRootJson}>
            <input
              id={`${id}-root-file`}
              type="file"
              accept=".json,application/json"
              aria-describedby={describedBy(`${id}-root-file`, rootName !== null, fieldErrors.trustedRootJson)}
              onChange={(e) => {
                const file = e.target.files?.[0];
                if (!file) return;
                setRootName(file.name);
                void file.text().then(setRootJson);
              }}
            />
          </Field>
        )}
      </fieldset>
      {error && !error.field && <ErrorCard error={error} />}
      {error?.field === 'trustedRootJson' && <ErrorCard error={error} />}
      <div className="actions">
        <button type="submit" className="button" disabled={busy}>
          {busy ? 'Adding…' : 'Add identity'}
        </button>
      </div>
      <div role="status">
        {done && (
          <p className="success">
            <span aria-hidden="true">✓ </span>Identity added for <strong>{done}</strong>.
          </p>
        )}
      </div>
    </form>
  );
}

function RemoveButton({ what, onRemove }: { what: string; onRemove(): Promise<void> }) {
  const [confirming, setConfirming] = useState(false);
  if (!confirming) {
    return (
      <button type="button" className="button secondary small" onClick={() => setConfirming(true)} aria-label={`Remove ${what}`}>
        Remove
      </button>
    );
  }
  return (
    <span className="confirm" role="group" aria-label={`Confirm removing ${what}`}>
      <span>Kits signed only by this will no longer verify.</span>
      <button type="button" className="button danger small" onClick={() => void onRemove().then(() => setConfirming(false))} autoFocus>
        Yes, remove
      </button>
      <button type="button" className="button secondary small" onClick={() => setConfirming(false)}>
        Keep
      </button>
    </span>
  );
}

function Publishers() {
  const { trust } = useStoresApi();
  const settings = useTrust((s) => s.settings);
  const [removeError, setRemoveError] = useState<ErrorPayload | null>(null);
  if (!settings) return null;
  const remove = async (publisher: string, kind: 'key' | 'keyless', index: number): Promise<void> => {
    const outcome = await trust.getState().remove(publisher, kind, index);
    setRemoveError(outcome.ok ? null : outcome.error);
  };
  return (
    <section className="card" aria-labelledby="publishers-title">
      <h2 id="publishers-title">Trusted publishers</h2>
      <p>
        Airlock accepts a kit only when its signature was made by a key or identity listed here. Policy file: <code className="wrap">{settings.policyPath}</code>
      </p>
      {settings.problem && <ErrorCard error={settings.problem} focus={false} />}
      {removeError && <ErrorCard error={removeError} />}
      {settings.publishers.length === 0 && !settings.problem && <p className="muted">No publishers yet. Add a key or an identity below.</p>}
      {settings.publishers.map((p) => (
        <article key={p.name} className="publisher" aria-labelledby={`pub-${p.name}`}>
          <h3 id={`pub-${p.name}`}>{p.name}</h3>
          <ul className="plain-list">
            {p.keys.map((k, i) => (
              <li key={`k-${k.fingerprint}-${i}`} className="trust-entry">
                <span>
                  Key <code className="fingerprint">{groupFingerprint(k.fingerprint)}</code>
                  <span className="muted small"> ({k.source})</span>
                </span>
                <RemoveButton what={`key ${k.fingerprint.slice(0, 8)} of ${p.name}`} onRemove={() => remove(p.name, 'key', i)} />
              </li>
            ))}
            {p.keyless.map((k, i) => (
              <li key={`i-${k.issuer}-${k.subject ?? k.subjectPattern}`} className="trust-entry">
                <span>
                  Identity {k.subject !== null ? <code className="wrap">{k.subject}</code> : <code className="wrap">{k.subjectPattern}</code>}
                  {k.subject === null && ' (pattern)'} issued by <code className="wrap">{k.issuer}</code>
                </span>
                <RemoveButton what={`identity ${k.subject ?? k.subjectPattern} of ${p.name}`} onRemove={() => remove(p.name, 'keyless', i)} />
              </li>
            ))}
          </ul>
          <p className="muted small">
            Requires {p.tlogThreshold} transparency-log {p.tlogThreshold === 1 ? 'entry' : 'entries'} and {p.timestampThreshold}{' '}
            {p.timestampThreshold === 1 ? 'timestamp' : 'timestamps'}
            {p.trustedRoot ? `; Sigstore root: ${p.trustedRoot}` : ''}; downgrades {p.allowDowngrade ? 'allowed' : 'refused'}.
          </p>
        </article>
      ))}
    </section>
  );
}

function InstallRootCard() {
  const { settings } = useStoresApi();
  const root = useSettings((s) => s.installRoot);
  const chooseError = useSettings((s) => s.chooseError);
  const value = root.value;
  return (
    <section className="card" aria-labelledby="root-title" data-testid="settings-install-root">
      <h2 id="root-title">Install root</h2>
      <p>The folder releases are installed into: their files, the “current” switch, the databases and their backups.</p>
      {root.error && <ErrorCard error={root.error} focus={false} />}
      {value && (
        <>
          <p>
            {value.path === null ? <strong>Not chosen yet.</strong> : <code className="wrap">{value.path}</code>}
          </p>
          {value.source === 'command-line' && (
            <p className="muted small">Set with “airlock serve --root DIR” when console mode was started; shown here read-only.</p>
          )}
          {value.source !== 'command-line' && !value.editable && (
            <p className="muted small">
              {value.path === null ? 'Start “airlock serve” with --root DIR to install from this window.' : 'Chosen in the desktop app; shown here read-only. Start “airlock serve” with --root DIR to use another folder.'}
            </p>
          )}
          {value.editable && (
            <div className="actions">
              <button type="button" className="button secondary" onClick={() => void settings.getState().chooseInstallRoot()}>
                {value.path === null ? 'Choose the install root…' : 'Choose another folder…'}
              </button>
            </div>
          )}
        </>
      )}
      {chooseError && <ErrorCard error={chooseError} />}
    </section>
  );
}

function WorkstationKeyCard() {
  const key = useSettings((s) => s.workstationKey);
  return (
    <section className="card" aria-labelledby="key-title" data-testid="settings-workstation-key">
      <h2 id="key-title">Workstation key</h2>
      <p>
        This workstation signs every evidence bundle it exports with its own key, made on first use. Give the fingerprint to your auditors by a channel you
        trust; they compare it with the one in each bundle and report.
      </p>
      {key.error && <ErrorCard error={key.error} focus={false} />}
      {key.value && (
        <Facts
          items={[
            ['Fingerprint (SHA-256)', <code className="fingerprint">{groupFingerprint(key.value.fingerprint)}</code>],
            ['Public key', <code className="wrap">{key.value.publicKeyPath}</code>],
          ]}
        />
      )}
    </section>
  );
}

export function SettingsScreen() {
  const heading = useFocusOnMount<HTMLHeadingElement>();
  const { trust, app, settings } = useStoresApi();
  const status = useTrust((s) => s.status);
  const loadError = useTrust((s) => s.error);
  const info = useApp((s) => s.info);
  const openFolderError = useApp((s) => s.openFolderError);
  useEffect(() => {
    void trust.getState().load();
    void settings.getState().loadInstallRoot();
    void settings.getState().loadWorkstationKey();
  }, [trust, settings]);
  return (
    <>
      <h1 ref={heading} tabIndex={-1}>
        Settings
      </h1>
      {status === 'running' && <p role="status">Loading the trust policy…</p>}
      {loadError && <ErrorCard error={loadError} focus={false} />}
      <Publishers />
      <AddKeyForm />
      <AddKeylessForm />
      <InstallRootCard />
      <WorkstationKeyCard />
      <section className="card" aria-labelledby="data-title">
        <h2 id="data-title">Data folder</h2>
        <p>
          The registry, its catalog and the trust policy live in <code className="wrap">{info?.dataDir ?? '…'}</code>. The command line uses the same
          folder.
        </p>
        <p className="muted small">To use another folder, start Airlock with --data-dir DIR or set the environment variable AIRLOCK_DATA_DIR.</p>
        {info?.capabilities.openFolder && (
          <div className="actions">
            <button type="button" className="button secondary" onClick={() => void app.getState().openDataDir()}>
              Open the data folder
            </button>
          </div>
        )}
        {openFolderError && <ErrorCard error={openFolderError} />}
      </section>
    </>
  );
}
