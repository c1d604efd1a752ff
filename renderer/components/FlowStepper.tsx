import { KIT_FLOW_STEPS, type KitFlowStep } from '../stores/kit-flow-store.ts';

export function FlowStepper({ current }: { current: KitFlowStep }) {
  const index = KIT_FLOW_STEPS.findIndex((s) => s.id === current);
  return (
    <nav aria-label="Steps" className="stepper">
      <ol>
        {KIT_FLOW_STEPS.map((step, i) => {
          const state = i < index ? 'done' : i === index ? 'current' : 'todo';
          return (
            <li key={step.id} className={`step step-${state}`} aria-current={state === 'current' ? 'step' : undefined}>
              <span className="step-marker" aria-hidden="true">
                {state === 'done' ? '✓' : i + 1}
              </span>
              <span className="step-title">{step.title}</span>
              <span className="visually-hidden">{state === 'done' ? ' (done)' : state === 'current' ? ' (current step)' : ''}</span>
            </li>
          );
        })}
      </ol>
    </nav>
  );
}
