/**
 * The job page: one HTML document with its own small script. The graph arrives laid out
 * (`/api/graph`, dagre on the server), the figures arrive as server-sent events
 * (`/api/events`), so the page draws and never reloads.
 */
export const JOB_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Tributary job</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
:root{--fg:#1d2330;--mute:#6b7385;--line:#c9cfdb;--box:#f5f7fb;--accent:#2f6fde;--ok:#1f8a4c;--bad:#c0392b}
*{box-sizing:border-box}body{margin:0;font:14px/1.4 system-ui,sans-serif;color:var(--fg);background:#fff}
header{display:flex;gap:18px;align-items:baseline;padding:12px 18px;border-bottom:1px solid var(--line)}
header h1{font-size:18px;margin:0}.state{font-weight:600;padding:2px 8px;border-radius:10px;background:var(--box)}
.state.DONE{color:var(--ok)}.state.FAILED,.state.CANCELLED{color:var(--bad)}.state.RUNNING{color:var(--accent)}
main{display:grid;grid-template-columns:minmax(420px,3fr) minmax(320px,2fr);gap:16px;padding:16px 18px}
section{border:1px solid var(--line);border-radius:8px;padding:10px 12px;margin-bottom:14px}
section h2{font-size:14px;margin:0 0 8px;color:var(--mute);text-transform:uppercase;letter-spacing:.04em}
svg .stage rect{fill:var(--box);stroke:#8a94a8;rx:6}svg .stage text{font-size:12px}svg .stage .name{font-weight:600}
svg .edge path{fill:none;stroke:#8a94a8;stroke-width:1.4;marker-end:url(#arrow)}svg .edge.side path{stroke-dasharray:4 3}
svg .edge text{font-size:10px;fill:var(--mute);cursor:pointer}svg .edge text:hover{fill:var(--accent)}
.bar{height:10px;background:var(--box);border-radius:5px;overflow:hidden}.bar div{height:100%;background:var(--accent)}
table{border-collapse:collapse;width:100%;font-size:12px}td,th{text-align:left;padding:2px 6px;border-bottom:1px solid #eef0f5}
td.num{text-align:right;font-variant-numeric:tabular-nums}.mute{color:var(--mute)}.err{color:var(--bad);white-space:pre-wrap}
select,button{font:inherit}pre{margin:0;font-size:11px;white-space:pre-wrap;word-break:break-all}
</style></head><body>
<header><h1>Tributary job</h1><span id="state" class="state">…</span><span id="runner" class="mute"></span>
<span id="uptime" class="mute"></span><a id="external" hidden>engine UI</a></header>
<main><div>
<section><h2>Pipeline</h2><svg id="graph" role="img" aria-label="pipeline graph"></svg></section>
<section><h2>Counters</h2><table id="counters"></table></section>
</div><div>
<section id="kappa-section" hidden><h2>Kappa+ replay</h2><div id="kappa"></div></section>
<section><h2>Checkpoints</h2><div id="checkpoints" class="mute">none yet</div></section>
<section><h2>Sample a PCollection</h2>
<select id="pc"></select> <input id="limit" type="number" value="10" min="1" max="1000" style="width:5em">
<button id="sample">Sample</button> <button id="stop">Stop</button>
<table id="samples"></table></section>
<section><h2>Errors</h2><div id="errors" class="mute">none</div></section>
</div></main>
<script>
const $=(id)=>document.getElementById(id);
const esc=(s)=>String(s).replace(/[&<>"]/g,(c)=>({'&':'&amp;','<':'&lt;','>':'&gt;','"':'&quot;'}[c]));
const fmt=(n)=>n>=1e6?(n/1e6).toFixed(2)+'M':n>=1e4?(n/1e3).toFixed(1)+'k':String(Math.round(n));
const dur=(s)=>s==null?'--:--':Math.floor(s/60)+':'+String(Math.round(s%60)).padStart(2,'0');
let graph;
async function loadGraph(){
  graph=await (await fetch('/api/graph')).json();
  const svg=$('graph');svg.setAttribute('viewBox','0 0 '+Math.max(graph.width,10)+' '+Math.max(graph.height,10));
  svg.setAttribute('width',graph.width);svg.setAttribute('height',graph.height);
  let h='<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto"><path d="M0,0L10,5L0,10z" fill="#8a94a8"/></marker></defs>';
  for(const e of graph.edges){
    const d=e.points.map((p,i)=>(i?'L':'M')+p.x+','+p.y).join(' ');const m=e.points[Math.floor(e.points.length/2)]||{x:0,y:0};
    h+='<g class="edge'+(e.side?' side':'')+'"><path d="'+d+'"/><text x="'+(m.x+4)+'" y="'+(m.y-3)+'" data-pc="'+esc(e.pcollection)+'">'+esc(e.label.split('/').pop())+'</text></g>';
  }
  for(const s of graph.stages){
    const x=s.x-s.width/2,y=s.y-s.height/2;
    h+='<g class="stage" data-stage="'+esc(s.id)+'"><title>'+esc(s.transforms.map((t)=>graph.transforms[t]).join('\\n'))+'</title>'
     +'<rect x="'+x+'" y="'+y+'" width="'+s.width+'" height="'+s.height+'" rx="6"/>'
     +'<text class="name" x="'+(x+8)+'" y="'+(y+17)+'">'+esc(s.label)+'</text>'
     +'<text class="rate" x="'+(x+8)+'" y="'+(y+34)+'">–</text><text class="wm mute" x="'+(x+8)+'" y="'+(y+50)+'">–</text></g>';
  }
  svg.innerHTML=h;
  const sel=$('pc');sel.innerHTML=Object.entries(graph.pcollectionNames).map(([id,n])=>'<option value="'+esc(id)+'">'+esc(n)+'</option>').join('');
  svg.querySelectorAll('.edge text').forEach((t)=>t.addEventListener('click',()=>{sel.value=t.dataset.pc;sample();}));
}
function render(s){
  $('state').textContent=s.state;$('state').className='state '+s.state;$('runner').textContent='runner: '+s.runner;
  $('uptime').textContent=s.uptimeSeconds+' s';
  if(s.externalUi){const a=$('external');a.href=s.externalUi;a.hidden=false;}
  for(const st of s.stages){
    const g=document.querySelector('[data-stage="'+CSS.escape(st.id)+'"]');if(!g)continue;
    g.querySelector('.rate').textContent=fmt(st.elements)+' elements · '+fmt(st.perSecond)+'/s'+(st.buffered?' · '+fmt(st.buffered)+' held':'');
    g.querySelector('.wm').textContent=st.watermark?'wm '+st.watermark.replace('.000Z','Z')+(st.lagSeconds?' · lag '+fmt(st.lagSeconds)+' s':''):'';
  }
  $('kappa-section').hidden=s.kappa.length===0;
  $('kappa').innerHTML=s.kappa.map((k)=>{const f=k.partitionsTotal?k.partitionsCompleted/k.partitionsTotal:0;
    return '<div class="kappa" data-done="'+k.partitionsCompleted+'" data-total="'+k.partitionsTotal+'"><b>'+esc(k.transform)+'</b> '+k.partitionsCompleted+' / '+k.partitionsTotal
     +' partitions · '+fmt(k.rowsPerSecond)+' rows/s · ETA '+dur(k.etaSeconds)+'<div class="bar"><div style="width:'+(100*f).toFixed(1)+'%"></div></div><span class="mute">wm '+esc(k.watermark)+'</span></div>';}).join('');
  if(s.checkpoints)$('checkpoints').textContent=s.checkpoints.count+' taken'+(s.checkpoints.lastDurationMs!=null?' · last '+Math.round(s.checkpoints.lastDurationMs)+' ms':'')
    +(s.checkpoints.lastBytes!=null?', '+fmt(s.checkpoints.lastBytes)+' bytes':'')+(s.checkpoints.lastAt?' at '+s.checkpoints.lastAt:'');
  $('errors').innerHTML=s.errors.length?s.errors.map((e)=>'<div class="err">'+esc(e.at)+' '+esc(e.message)+'</div>').join(''):'none';
  $('counters').innerHTML='<tr><th>counter</th><th>transform</th><th>value</th></tr>'+s.counters.map((c)=>'<tr><td>'+esc(c.name)+'</td><td class="mute">'+esc(c.transform)+'</td><td class="num">'+fmt(c.value)+'</td></tr>').join('');
}
let sampling=false;
async function sample(limit){
  const pc=$('pc').value;const n=limit??Number($('limit').value||10);sampling=n>0;
  const r=await (await fetch('/api/sample?pcollection='+encodeURIComponent(pc)+'&limit='+n)).json();
  $('samples').innerHTML='<tr><th>value</th><th>timestamp</th><th>window</th><th>pane</th></tr>'+r.elements.map((e)=>'<tr class="sample"><td><pre>'+esc(e.value)+'</pre></td><td>'+esc(e.timestamp)+'</td><td>'+esc(e.windows.join(' '))+'</td><td>'+esc(e.pane)+'</td></tr>').join('');
}
$('sample').onclick=()=>sample();$('stop').onclick=()=>sample(0);
setInterval(()=>{if(sampling)sample();},1000);
loadGraph().then(()=>{const ev=new EventSource('/api/events');ev.onmessage=(m)=>render(JSON.parse(m.data));});
</script></body></html>
`;
