// The operator's picture of the PCF: an area's limit, expected load, reservations per
// ASP (committed, and held offers apart) and degradations, per slot, drawn with the
// vendored Chart.js from GET {root}/areas/{areaId}/timeline. The index page lists the
// areas from GET {root}/areas.
//
// After each drawing, the values as drawn (read back from the chart's pixels, stacked)
// are written as JSON into <output id="drawn">, and the chart is window.timelineChart:
// checks and scrapers read what the picture shows, not only what the API answered.
(function () {
  "use strict";
  const body = document.body;
  const root = body.dataset.root;
  const status = document.getElementById("status");
  const PALETTE = ["#1f77b4", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2",
    "#17becf", "#bcbd22", "#7f7f7f", "#393b79", "#637939", "#843c39"];
  const MBIT = 1e6;

  function fail(message) {
    status.textContent = message;
    status.className = "error";
    body.dataset.state = "error";
  }

  async function fetchJson(url) {
    const response = await fetch(url, { headers: { accept: "application/json" } });
    const document = await response.json().catch(() => null);
    if (!response.ok) {
      const why = document && (document.detail || document.title);
      throw new Error(`${response.status} ${why || response.statusText}`);
    }
    return document;
  }

  function rate(bps) {
    if (bps >= 1e9) return `${+(bps / 1e9).toFixed(3)} Gbit/s`;
    if (bps >= 1e6) return `${+(bps / 1e6).toFixed(3)} Mbit/s`;
    return `${+(bps / 1e3).toFixed(3)} kbit/s`;
  }

  // ---- one area ----------------------------------------------------------------------

  function slotLabel(iso) {
    const d = new Date(iso);
    const day = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"][d.getUTCDay()];
    return `${day} ${iso.slice(5, 10)} ${iso.slice(11, 16)}`;
  }

  function hatch(color) {
    const tile = document.createElement("canvas");
    tile.width = tile.height = 8;
    const g = tile.getContext("2d");
    g.fillStyle = color + "22";
    g.fillRect(0, 0, 8, 8);
    g.strokeStyle = color;
    g.lineWidth = 1.5;
    g.beginPath();
    g.moveTo(0, 8);
    g.lineTo(8, 0);
    g.stroke();
    return g.createPattern(tile, "repeat");
  }

  function datasets(doc, direction) {
    const series = doc[direction];
    const mbit = (values) => values.map((v) => v / MBIT);
    const sets = [{
      label: "expected load", kind: "expected", data: mbit(series.expected), stack: "use",
      fill: "origin", backgroundColor: "#c8c8c8", borderColor: "#999", borderWidth: 1,
    }];
    const colors = {};
    const asps = [...new Set([...Object.keys(series.committed), ...Object.keys(series.held)])];
    asps.sort().forEach((asp, i) => { colors[asp] = PALETTE[i % PALETTE.length]; });
    for (const [asp, values] of Object.entries(series.committed)) {
      sets.push({
        label: asp, kind: "committed", asp, data: mbit(values), stack: "use", fill: "-1",
        backgroundColor: colors[asp] + "bb", borderColor: colors[asp], borderWidth: 1,
      });
    }
    for (const [asp, values] of Object.entries(series.held)) {
      sets.push({
        label: `held: ${asp}`, kind: "held", asp, data: mbit(values), stack: "use", fill: "-1",
        backgroundColor: hatch(colors[asp]), borderColor: colors[asp], borderWidth: 1,
        borderDash: [4, 3],
      });
    }
    sets.push({
      label: "limit", kind: "limit", data: mbit(series.limit), stack: "limit", fill: false,
      borderColor: "#d62728", borderWidth: 2.5, backgroundColor: "#d62728",
      order: -1, // drawn last, over the stacked areas
    });
    return sets;
  }

  function degradedSlots(doc) {
    const first = Date.parse(doc.slots[0]);
    const step = doc.slotSeconds * 1000;
    const n = doc.slots.length;
    const index = (iso) => Math.min(n, Math.max(0, Math.ceil((Date.parse(iso) - first) / step)));
    const floor = (iso) => Math.min(n, Math.max(0, Math.floor((Date.parse(iso) - first) / step)));
    return doc.degradations.map((d) => ({
      id: d.id, factor: d.factor, source: d.source,
      first: floor(d.timeWindow.startTime), stop: index(d.timeWindow.stopTime),
    }));
  }

  // Shades each degradation's slots and labels it with its factor.
  const degradationBands = {
    id: "degradations",
    beforeDatasetsDraw(chart, _args, options) {
      const { ctx, chartArea, scales } = chart;
      const width = (scales.x.getPixelForValue(1) - scales.x.getPixelForValue(0)) || 0;
      chart.$bands = [];
      for (const band of options.bands || []) {
        if (band.stop <= band.first) continue;
        const left = scales.x.getPixelForValue(band.first);
        const right = Math.min(chartArea.right, scales.x.getPixelForValue(band.stop - 1) + width);
        ctx.save();
        ctx.fillStyle = "rgba(214, 39, 40, 0.10)";
        ctx.fillRect(left, chartArea.top, right - left, chartArea.bottom - chartArea.top);
        ctx.fillStyle = "#a01010";
        ctx.font = "12px system-ui, sans-serif";
        ctx.fillText(`degraded x${band.factor} (${band.source})`, left + 4, chartArea.top + 14);
        ctx.restore();
        chart.$bands.push({ id: band.id, factor: band.factor, left, right });
      }
    },
  };

  // Writes what was drawn, read back from the pixels, into ``output`` (for checks and
  // scrapers), then calls ``done`` once.
  function drawnValuesTo(output, done) {
    return {
      id: "drawnValues",
      afterRender(chart) {
        const y = chart.scales.y;
        const x = chart.scales.x;
        const series = chart.data.datasets.map((set, i) => ({
          label: set.label, kind: set.kind, asp: set.asp || null, stack: set.stack,
          top: chart.getDatasetMeta(i).data.map((point) => y.getValueForPixel(point.y)),
        }));
        const origin = x.getPixelForValue(0);
        const width = x.getPixelForValue(1) - origin;
        const slot = (pixel) => Math.round((pixel - origin) / width);
        // The slots each shaded band covers, [first, stop), from its pixels.
        const bands = (chart.$bands || []).map((b) => ({
          id: b.id, factor: b.factor, first: slot(b.left), stop: slot(b.right),
        }));
        output.value = JSON.stringify({ unit: "Mbit/s", labels: chart.data.labels, series, bands });
        if (done) done();
        done = null;
      },
    };
  }

  function drawTimeline(canvas, output, doc, direction, compact, done) {
    return new Chart(canvas, {
      type: "line",
      data: { labels: doc.slots.map(slotLabel), datasets: datasets(doc, direction) },
      options: {
        animation: false,
        maintainAspectRatio: false,
        interaction: { mode: "index", intersect: false },
        elements: { point: { radius: 0 }, line: { stepped: true } },
        scales: {
          x: {
            ticks: { maxTicksLimit: compact ? 8 : 16, autoSkip: true },
            title: { display: !compact, text: "slot start (UTC)" },
          },
          y: {
            stacked: true, beginAtZero: true,
            title: { display: true, text: `${direction}, Mbit/s` },
          },
        },
        plugins: {
          degradations: { bands: degradedSlots(doc) },
          legend: { position: compact ? "right" : "bottom" },
          tooltip: {
            callbacks: { label: (item) => `${item.dataset.label}: ${rate(item.raw * MBIT)}` },
          },
        },
      },
      plugins: [degradationBands, drawnValuesTo(output, done)],
    });
  }

  function summary(doc, direction) {
    return `${doc.slots[0].slice(0, 16)}Z to ${doc.stop.slice(0, 16)}Z, ` +
      `${doc.slots.length} slots of ${doc.slotSeconds / 60} min; capacity ` +
      `${rate(doc.capacity[direction])} ${direction}, utilisation ceiling ${doc.utilisationCeiling}`;
  }

  async function showArea() {
    const area = body.dataset.area;
    const params = new URLSearchParams(location.search);
    const direction = params.get("direction") === "uplink" ? "uplink" : "downlink";
    const form = document.getElementById("range");
    const query = new URLSearchParams();
    for (const name of ["from", "to"]) {
      if (params.get(name)) {
        query.set(name, params.get(name));
        form.elements[name].value = params.get(name);
      }
    }
    form.elements.direction.value = direction;
    const doc = await fetchJson(`${root}/areas/${encodeURIComponent(area)}/timeline?${query}`);
    window.timelineDocument = doc;
    document.getElementById("summary").textContent = summary(doc, direction);
    const output = document.getElementById("drawn");
    window.timelineChart = drawTimeline(
      document.getElementById("chart"), output, doc, direction, false,
      () => { body.dataset.state = "drawn"; },
    );
  }

  // ---- the index: every area, each with its next 48 hours ------------------------------

  async function showAreas() {
    const areas = await fetchJson(`${root}/areas`);
    const list = document.getElementById("areas");
    const docs = await Promise.all(areas.map(
      (area) => fetchJson(`${root}/areas/${encodeURIComponent(area.areaId)}/timeline`),
    ));
    let pending = areas.length;
    const drawn = () => { pending -= 1; if (pending === 0) body.dataset.state = "drawn"; };
    window.timelineCharts = {};
    areas.forEach((area, i) => {
      const section = document.createElement("section");
      section.className = "area";
      section.dataset.area = area.areaId;
      const title = document.createElement("h2");
      const link = document.createElement("a");
      link.href = `${root}/view/areas/${encodeURIComponent(area.areaId)}`;
      link.textContent = area.areaId;
      title.append(link);
      const line = document.createElement("p");
      line.textContent = summary(docs[i], "downlink") +
        (area.overridden ? " (capacity overridden by the operator)" : "");
      const box = document.createElement("div");
      box.className = "small-chart";
      const canvas = document.createElement("canvas");
      box.append(canvas);
      const output = document.createElement("output");
      output.hidden = true;
      section.append(title, line, box, output);
      list.append(section);
      window.timelineCharts[area.areaId] =
        drawTimeline(canvas, output, docs[i], "downlink", true, drawn);
    });
    if (areas.length === 0) body.dataset.state = "drawn";
  }

  const run = body.dataset.area !== undefined ? showArea : showAreas;
  run().catch((error) => fail(`Could not draw: ${error.message}`));
})();
