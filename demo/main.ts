// The reference page: <esasky-sky> plus a survey list from the archive server (/api/hips), a
// target box, a projection switch and a status line. Uses only the public API and the server API.
import 'esasky-sky/define';
import { formatDecDms, formatRaHms, resolveTargetOffline, type EsaskySky } from 'esasky-sky';

interface HipsEntry {
  id: string;
  title: string;
  url: string;
  credit?: string;
}

const sky = document.querySelector('esasky-sky') as EsaskySky;
const survey = document.getElementById('survey') as HTMLSelectElement;
const projection = document.getElementById('projection') as HTMLSelectElement;
const frameSelect = document.getElementById('frame') as HTMLSelectElement;
const form = document.getElementById('goto') as HTMLFormElement;
const target = document.getElementById('target') as HTMLInputElement;
const centre = document.getElementById('centre')!;
const fov = document.getElementById('fov')!;
const state = document.getElementById('state')!;
const credit = document.getElementById('credit')!;
/** Set once loadSurveys has given the element its survey. */
let surveyChosen = false;

function formatFov(deg: number): string {
  if (deg >= 1) return `${deg.toFixed(deg >= 10 ? 1 : 2)}°`;
  if (deg * 60 >= 1) return `${(deg * 60).toFixed(2)}′`;
  return `${(deg * 3600).toFixed(2)}″`;
}

function showView(raDeg: number, decDeg: number, fovDeg: number): void {
  centre.textContent = `${formatRaHms(raDeg, 1)} ${formatDecDms(decDeg, 0)}`;
  fov.textContent = `FoV ${formatFov(fovDeg)}`;
}

sky.addEventListener('view-change', (e) => {
  showView(e.detail.raDeg, e.detail.decDeg, e.detail.fovDeg);
  state.textContent = 'loading…';
});
sky.addEventListener('view-settled', (e) => {
  showView(e.detail.raDeg, e.detail.decDeg, e.detail.fovDeg);
  state.textContent = `${e.detail.cellsDrawn} cells drawn`;
  // the element may settle on its empty sky before the survey list arrives: only a view settled
  // after the survey was chosen counts (screenshots and the end-to-end tests wait for this)
  if (surveyChosen) document.body.dataset.settled = 'true';
});
sky.addEventListener('layer-error', (e) => {
  state.textContent = `error: ${e.detail.reason}`;
});
sky.addEventListener('webgpu-unavailable', (e) => {
  state.textContent = e.detail.reason;
});

projection.addEventListener('change', () => {
  sky.projection = projection.value as EsaskySky['projection'];
});

const gridBox = document.getElementById('grid') as HTMLInputElement;
const reticleBox = document.getElementById('reticle') as HTMLInputElement;
const hpxBox = document.getElementById('hpxgrid') as HTMLInputElement;
reticleBox.addEventListener('change', () => {
  sky.reticle = reticleBox.checked;
});
hpxBox.addEventListener('change', () => {
  sky.healpixGrid = hpxBox.checked;
});
gridBox.addEventListener('change', () => {
  sky.grid = gridBox.checked;
});

frameSelect.addEventListener('change', () => {
  sky.frame = frameSelect.value as EsaskySky['frame'];
});

/**
 * Positions and Messier names offline; any other name (NGC/IC, HIP, TYC, star names, planets,
 * asteroids, comets) through the archive's resolver, /api/resolve; unknown names end in the
 * element's own "unknown target" error.
 */
async function goTo(text: string): Promise<void> {
  if (resolveTargetOffline(text) === undefined) {
    try {
      const res = await fetch(`/api/resolve?name=${encodeURIComponent(text)}`);
      if (res.ok) {
        const r = (await res.json()) as { raDeg: number; decDeg: number };
        sky.goToRaDec(r.raDeg, r.decDeg);
        return;
      }
    } catch {
      // no archive server (the page served elsewhere): the element reports the name as unknown
    }
  }
  await sky.goToTargetName(text);
}

form.addEventListener('submit', (e) => {
  e.preventDefault();
  const text = target.value.trim();
  if (text) void goTo(text);
});

survey.addEventListener('change', () => {
  const entry = surveys.find((s) => s.url === survey.value);
  credit.textContent = entry?.credit ?? '';
  sky.changeHips(survey.value);
});

let surveys: HipsEntry[] = [];

function sameUrl(a: string, b: string): boolean {
  const norm = (u: string) => new URL(u, location.href).href.replace(/\/+$/, '');
  return norm(a) === norm(b);
}

async function loadSurveys(): Promise<void> {
  try {
    const response = await fetch('/api/hips');
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    surveys = (await response.json()) as HipsEntry[];
  } catch (err) {
    state.textContent = `cannot list surveys from the server: ${(err as Error).message}`;
    surveys = [{ id: 'swe_milkyway', title: 'Milky Way (Mellinger)', url: '/hips/swe_milkyway/' }];
  }
  survey.replaceChildren(...surveys.map((s) => new Option(s.title, s.url)));
  const params = new URLSearchParams(location.search);
  const preferred = surveys.find((s) => s.id === 'swe_milkyway') ?? surveys[0];
  // ?hips= takes a survey id from the list or any HiPS URL.
  const asked = params.get('hips');
  const known = asked ? surveys.find((s) => s.id === asked || sameUrl(s.url, asked)) : preferred;
  const wanted = known?.url ?? asked ?? '';
  if (!known && wanted) survey.append(new Option(wanted, wanted));
  survey.value = wanted;
  credit.textContent = known?.credit ?? '';
  if (params.get('target')) sky.target = params.get('target')!;
  if (params.get('fov')) sky.fov = Number(params.get('fov'));
  if (params.get('grid') === '1' || params.get('grid') === 'true') {
    sky.grid = true;
    gridBox.checked = true;
  }
  if (params.get('frame')) {
    sky.frame = params.get('frame') as EsaskySky['frame'];
    frameSelect.value = sky.frame;
  }
  if (params.get('projection')) {
    sky.projection = params.get('projection') as EsaskySky['projection'];
    projection.value = sky.projection;
  }
  sky.hips = wanted;
  surveyChosen = true;
}

void loadSurveys();
