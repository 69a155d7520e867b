/**
 * The job page's graph: one box per stage (a top-level transform of the pipeline, with the leaf
 * transforms that run inside it), one edge per PCollection that crosses stages, laid out by
 * dagre on the server so the page only draws (no layout code in the browser).
 */
import { Graph, layout } from '@dagrejs/dagre';
import type { pipeline as beam } from '../../portability-proto/index.js';
import { pipelineShape, type PipelineShape } from './pipeline-shape.js';

export interface StageBox {
  readonly id: string;
  readonly label: string;
  /** The leaf transforms inside, by id (their names in `transforms`). */
  readonly transforms: readonly string[];
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

export interface PCollectionEdge {
  readonly pcollection: string;
  readonly label: string;
  readonly from: string;
  readonly to: string;
  readonly side: boolean;
  readonly points: ReadonlyArray<{ x: number; y: number }>;
}

export interface PipelineLayout {
  readonly width: number;
  readonly height: number;
  readonly stages: readonly StageBox[];
  readonly edges: readonly PCollectionEdge[];
  /** Leaf transform id → its unique name. */
  readonly transforms: Readonly<Record<string, string>>;
  /** PCollection id → the stage producing it (where its element count shows). */
  readonly producers: Readonly<Record<string, string>>;
}

const CHAR_WIDTH = 7.2;
const LINE_HEIGHT = 16;

export function layoutPipeline(proto: beam.IPipeline, executed?: ReadonlySet<string>): PipelineLayout {
  return layoutShape(pipelineShape(proto, executed));
}

function layoutShape(shape: PipelineShape): PipelineLayout {
  const g = new Graph({ multigraph: true });
  g.setGraph({ rankdir: 'TB', nodesep: 30, ranksep: 50, marginx: 10, marginy: 10 });
  g.setDefaultEdgeLabel(() => ({}));
  const stages = new Map<string, string[]>();
  for (const leaf of shape.leaves) (stages.get(leaf.stage) ?? stages.set(leaf.stage, []).get(leaf.stage)!).push(leaf.id);
  for (const stage of stages.keys()) {
    g.setNode(stage, { width: Math.min(320, Math.max(stage.length + 4, 30) * CHAR_WIDTH + 20), height: LINE_HEIGHT * 3 + 12 });
  }
  const edges: Array<Omit<PCollectionEdge, 'points'> & { name: string }> = [];
  for (const leaf of shape.leaves) {
    const inputs = [...leaf.inputs.map((pc) => [pc, false] as const), ...leaf.sideInputs.map((pc) => [pc, true] as const)];
    for (const [pc, side] of inputs) {
      const producer = shape.producerOf(pc);
      if (!producer || producer.stage === leaf.stage) continue;
      const name = `${pc}->${leaf.id}`;
      if (edges.some((e) => e.from === producer.stage && e.to === leaf.stage && e.pcollection === pc)) continue;
      edges.push({ name, pcollection: pc, label: shape.pcollectionName(pc), from: producer.stage, to: leaf.stage, side });
      g.setEdge(producer.stage, leaf.stage, { minlen: 1 }, name);
    }
  }
  layout(g);
  const graph = g.graph() as { width?: number; height?: number };
  const producers: Record<string, string> = {};
  for (const leaf of shape.leaves) for (const pc of leaf.outputs) producers[pc] = leaf.stage;
  return {
    width: graph.width ?? 0,
    height: graph.height ?? 0,
    stages: [...stages].map(([id, transforms]) => {
      const n = g.node(id) as { x: number; y: number; width: number; height: number };
      return { id, label: id, transforms, x: n.x, y: n.y, width: n.width, height: n.height };
    }),
    edges: edges.map(({ name, ...e }) => ({ ...e, points: ((g.edge(e.from, e.to, name) as { points?: Array<{ x: number; y: number }> }).points ?? []).map((p) => ({ x: p.x, y: p.y })) })),
    transforms: Object.fromEntries(shape.leaves.map((l) => [l.id, l.name])),
    producers,
  };
}
