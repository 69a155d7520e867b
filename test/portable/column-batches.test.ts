// A batch-aware Kappa+ pipeline on a portable runner (Beam's Prism, started here, loopback
// workers): batches never cross the data plane — the harness's replay emits rows, the elements
// travel Beam-encoded — and the pipeline gives there what its element-wise form gives.
import { describe, expect, it } from 'vitest';
import { PortableRunner } from '../../runners/portable/portable-runner.js';
import { usePrism } from '../servers/prism/prism.js';
import { hourlySums, table } from '../kappa/column-batch-pipeline.js';

const prism = usePrism();

describe('column batches on a portable runner', () => {
  it('WithKeys.ofColumn and a CombineFn with addRow give the element-wise panes and late rows, through addInput', async () => {
    const root = await table();
    const runner = () => new PortableRunner({ jobEndpoint: prism.current.endpoint });
    const rowWise = await hourlySums(root, false, runner());
    const batched = await hourlySums(root, true, runner());
    expect(rowWise.panes.length).toBeGreaterThanOrEqual(6);
    expect(batched.panes).toEqual(rowWise.panes);
    expect(batched.lateRows).toEqual(rowWise.lateRows);
    // elements, not batches, reached the combine: the harness ran the element-wise form
    expect(batched.calls.addRow).toBe(0);
    expect(batched.calls.addInput).toBeGreaterThanOrEqual(8);
  }, 240_000);
});
