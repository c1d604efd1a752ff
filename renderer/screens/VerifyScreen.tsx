import { formatBytes } from '../../shared/format.ts';
import { ErrorCard } from '../components/ErrorCard.tsx';
import { Facts } from '../components/Facts.tsx';
import { formatDate } from '../components/dates.ts';
import { useFocusOnMount, useFocusWhen } from '../components/focus.ts';
import { ProgressPanel } from '../components/ProgressPanel.tsx';
import { describeSigner } from '../components/signer-text.ts';
import { useFlow, useStoresApi } from '../stores/app-stores.ts';
import type { KitVerification } from '../stores/kit-flow-store.ts';

function containerText(v: KitVerification): string {
  if (v.container.kind === 'directory') return 'Unpacked kit folder';
  const compression = v.container.compression === 'none' ? 'uncompressed' : `${v.container.compression}-compressed`;
  return `${compression} archive${v.container.parts ? ` in ${v.container.parts} parts` : ''}, ${formatBytes(v.container.bytesRead)} read`;
}

export function VerificationCard({ verification: v }: { verification: KitVerification }) {
  const heading = useFocusWhen<HTMLHeadingElement>(v);
  const signer = describeSigner(v.signature.signer);
  return (
    <section className="card card-ok" aria-labelledby="verified-title" data-testid="verification-result">
      <h2 id="verified-title" ref={heading} tabIndex={-1}>
        <span className="status-icon" aria-hidden="true">
          ✓
        </span>{' '}
        Genuine and complete
      </h2>
      <p>The signature is valid and was made by a publisher you trust, and every file matches its signed checksum.</p>
      <Facts
        items={[
          ['Publisher', v.publisher ?? 'not stated in the kit'],
          ['Trusted as', v.signature.publisher],
          [
            signer.label,
            <>
              <code className="fingerprint">{signer.value}</code>
              <span className="muted small"> {signer.detail}</span>
            </>,
          ],
          ['Name', v.name],
          ['Version', v.version],
          ['Channel', v.channel],
          ['Created', formatDate(v.created)],
          ['Files', String(v.fileCount)],
          ['Size', formatBytes(v.totalBytes)],
          ['Images', v.images.length === 0 ? 'none' : v.images.map((i) => i.ref).join(', ')],
          ['Kit', containerText(v)],
          ['SHA256SUMS', <code className="wrap">sha256:{v.sumsSha256}</code>],
        ]}
      />
    </section>
  );
}

export function VerifyScreen() {
  const heading = useFocusOnMount<HTMLHeadingElement>();
  const { flow } = useStoresApi();
  const kit = useFlow((s) => s.kit);
  const verify = useFlow((s) => s.verify);
  const actions = flow.getState();
  if (!kit) return null;
  return (
    <>
      <h1 ref={heading} tabIndex={-1}>
        Verify {kit.name}
      </h1>
      <p className="lead">
        Airlock checks the publisher’s signature over the kit’s checksum list, then reads every file and compares it with that list. Nothing is
        written.
      </p>
      <Facts
        className="compact muted small"
        items={[
          ['Found in', kit.location],
          ['Path', <code className="wrap">{kit.displayPath}</code>],
        ]}
      />
      {verify.status === 'running' && (
        <ProgressPanel title="Checking the signature and every file" progress={verify.progress} cancelling={verify.cancelling} onCancel={() => void actions.cancelVerify()} />
      )}
      {verify.status === 'done' && verify.result && (
        <>
          <VerificationCard verification={verify.result} />
          <div className="actions">
            <button type="button" className="button" onClick={() => void actions.goToPreflight()}>
              Continue to preflight
            </button>
            <button type="button" className="button secondary" onClick={() => actions.startOver()}>
              Choose another kit
            </button>
          </div>
        </>
      )}
      {verify.status === 'failed' && verify.error && (
        <ErrorCard error={verify.error}>
          <button type="button" className="button" onClick={() => actions.startOver()}>
            Choose another kit
          </button>
          <button type="button" className="button secondary" onClick={() => void actions.retryVerify()}>
            Verify again
          </button>
        </ErrorCard>
      )}
    </>
  );
}
