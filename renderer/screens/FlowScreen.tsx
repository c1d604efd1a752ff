import { FlowStepper } from '../components/FlowStepper.tsx';
import { useFlow } from '../stores/app-stores.ts';
import { ChooseKitScreen } from './ChooseKitScreen.tsx';
import { DoneScreen } from './DoneScreen.tsx';
import { ImportScreen } from './ImportScreen.tsx';
import { InstallScreen } from './InstallScreen.tsx';
import { PlanScreen } from './PlanScreen.tsx';
import { PreflightScreen } from './PreflightScreen.tsx';
import { VerifyScreen } from './VerifyScreen.tsx';

export function FlowScreen() {
  const step = useFlow((s) => s.step);
  return (
    <>
      <FlowStepper current={step} />
      {step === 'choose' && <ChooseKitScreen key="choose" />}
      {step === 'verify' && <VerifyScreen key="verify" />}
      {step === 'preflight' && <PreflightScreen key="preflight" />}
      {step === 'import' && <ImportScreen key="import" />}
      {step === 'plan' && <PlanScreen key="plan" />}
      {step === 'install' && <InstallScreen key="install" />}
      {step === 'done' && <DoneScreen key="done" />}
    </>
  );
}
