// digitnet playground: draw a digit and watch the trained network read it.
//
// Plain JavaScript, no libraries, nothing fetched: the network's weights are in the page
// (a <script type="application/json" id="network"> block written by the export_network
// rule). The forward pass, the MNIST-style preparation of the drawing and the saliency
// map mirror the Python code (digitnet/model.py, digitnet/preprocess.py, digitnet/trace.py);
// the browser test checks that both give the same answers.
(function () {
  "use strict";

  // ---------------------------------------------------------------- the network

  function decodeFloat32(base64) {
    var bytes = atob(base64);
    var buffer = new Uint8Array(bytes.length);
    for (var i = 0; i < bytes.length; i++) buffer[i] = bytes.charCodeAt(i);
    return new Float32Array(buffer.buffer);
  }

  // Layers as in Python: dense {W: (in, out) row-major, b: (out,)} and activations.
  function loadNetwork(spec) {
    return spec.layers.map(function (layer) {
      if (layer.type !== "dense") return layer;
      return { type: "dense", nIn: layer.in, nOut: layer.out, W: decodeFloat32(layer.W), b: decodeFloat32(layer.b) };
    });
  }

  function activate(type, z, alpha) {
    var a = new Float32Array(z.length);
    for (var j = 0; j < z.length; j++) {
      var v = z[j];
      if (type === "relu") a[j] = v > 0 ? v : 0;
      else if (type === "leaky_relu") a[j] = v > 0 ? v : alpha * v;
      else if (type === "sigmoid") a[j] = 1 / (1 + Math.exp(-v));
      else if (type === "tanh") a[j] = Math.tanh(v);
    }
    return a;
  }

  // Z = X W + b for one sample x : (in,). Loops over the inputs, skipping zeros: most
  // pixels of a digit are paper, so the first layer costs a fraction of in * out.
  function dense(layer, x) {
    var z = new Float32Array(layer.b);
    for (var i = 0; i < layer.nIn; i++) {
      var xi = x[i];
      if (xi === 0) continue;
      var row = i * layer.nOut;
      for (var j = 0; j < layer.nOut; j++) z[j] += xi * layer.W[row + j];
    }
    return z;
  }

  function softmax(z) {
    var max = -Infinity, sum = 0, p = new Float64Array(z.length);
    for (var k = 0; k < z.length; k++) max = Math.max(max, z[k]);
    for (k = 0; k < z.length; k++) { p[k] = Math.exp(z[k] - max); sum += p[k]; }
    for (k = 0; k < z.length; k++) p[k] /= sum;
    return p;
  }

  // The forward pass, recording each dense layer's Z and its activation's A.
  // disabled: {hiddenIndex: Set of unit indices} switched off (their A forced to 0).
  function forward(net, x, disabled) {
    var steps = [], a = x, hidden = 0;
    for (var l = 0; l < net.length; l++) {
      var layer = net[l];
      if (layer.type !== "dense") continue;
      var z = dense(layer, a);
      var next = net[l + 1];
      if (next && next.type !== "dense") {
        a = activate(next.type, z, next.alpha);
        var off = disabled && disabled[hidden];
        if (off) off.forEach(function (j) { a[j] = 0; });
        steps.push({ layer: layer, activation: next.type, alpha: next.alpha, Z: z, A: a, hidden: hidden });
        hidden++;
      } else {
        steps.push({ layer: layer, activation: null, Z: z, A: z });
        a = z;
      }
    }
    var logits = steps[steps.length - 1].Z;
    return { steps: steps, logits: logits, probs: softmax(logits) };
  }

  // Saliency: d logits[cls] / d x, backpropagation from a one-hot gradient on the logits.
  function saliency(result, cls, disabled) {
    var steps = result.steps;
    var g = new Float32Array(steps[steps.length - 1].Z.length);
    g[cls] = 1;
    for (var s = steps.length - 1; s >= 0; s--) {
      var st = steps[s];
      if (st.activation) {
        var off = disabled && disabled[st.hidden];
        for (var j = 0; j < g.length; j++) {
          var z = st.Z[j], a = st.A[j], d;
          if (st.activation === "relu") d = z > 0 ? 1 : 0;
          else if (st.activation === "leaky_relu") d = z > 0 ? 1 : st.alpha;
          else if (st.activation === "sigmoid") d = a * (1 - a);
          else d = 1 - a * a;
          g[j] *= (off && off.has(j)) ? 0 : d;
        }
      }
      var layer = st.layer, gin = new Float32Array(layer.nIn);
      for (var i = 0; i < layer.nIn; i++) {
        var row = i * layer.nOut, sum = 0;
        for (var k = 0; k < layer.nOut; k++) sum += layer.W[row + k] * g[k];
        gin[i] = sum;
      }
      g = gin;
    }
    return g;
  }

  // ---------------------------------------------------------------- preparing a drawing
  // The stages of digitnet/preprocess.py that a clean drawing needs: gray levels, resize to
  // the working size, ink = 1 - gray, Otsu's threshold as a mask keeping gray levels, crop
  // to the ink, longest side to 20 px (anti-aliased), paste into 28 x 28, center by mass.
  // (Lighting, specks and stroke width need no correction on a clean canvas.)

  var WORK_SIZE = 160, BOX = 20, CANVAS = 28, CENTER = 14.0;

  // Pillow's resampling weights (ImagingResample): box or triangle filter at each
  // output pixel's center, scaled by the reduction factor when shrinking.
  function resampleAxis(src, w, h, outLen, horizontal, filter) {
    var inLen = horizontal ? w : h;
    var scale = inLen / outLen, filterScale = Math.max(scale, 1);
    var support = (filter === "box" ? 0.5 : 1.0) * filterScale;
    var outW = horizontal ? outLen : w, outH = horizontal ? h : outLen;
    var out = new Float32Array(outW * outH);
    for (var o = 0; o < outLen; o++) {
      var center = (o + 0.5) * scale;
      var lo = Math.max(0, Math.trunc(center - support + 0.5));
      var hi = Math.min(inLen, Math.trunc(center + support + 0.5));
      var weights = [], total = 0;
      for (var i = lo; i < hi; i++) {
        var t = (i - center + 0.5) / filterScale, wgt;
        if (filter === "box") wgt = (t > -0.5 && t <= 0.5) ? 1 : 0;
        else wgt = Math.max(0, 1 - Math.abs(t));
        weights.push(wgt);
        total += wgt;
      }
      for (var n = 0; n < weights.length; n++) weights[n] = total ? weights[n] / total : 0;
      var other = horizontal ? h : w;
      for (var q = 0; q < other; q++) {
        var acc = 0;
        for (n = 0; n < weights.length; n++) {
          var idx = horizontal ? q * w + lo + n : (lo + n) * w + q;
          acc += src[idx] * weights[n];
        }
        out[horizontal ? q * outW + o : o * outW + q] = acc;
      }
    }
    return out;
  }

  function resize(src, w, h, newW, newH, filter) {
    var horizontal = resampleAxis(src, w, h, newW, true, filter);
    return resampleAxis(horizontal, newW, h, newH, false, filter);
  }

  function otsu(values) {
    var bins = 256, counts = new Float64Array(bins);
    for (var i = 0; i < values.length; i++) counts[Math.min(bins - 1, Math.floor(values[i] * bins))]++;
    var total = values.length, sumAll = 0;
    for (i = 0; i < bins; i++) sumAll += counts[i] * (i + 0.5) / bins;
    var w0 = 0, sum0 = 0, best = -1, threshold = 0.5;
    for (i = 0; i < bins; i++) {
      w0 += counts[i];
      sum0 += counts[i] * (i + 0.5) / bins;
      var w1 = total - w0;
      var m0 = sum0 / Math.max(w0, 1), m1 = (sumAll - sum0) / Math.max(w1, 1);
      var between = w0 * w1 * (m0 - m1) * (m0 - m1);
      if (between > best) { best = between; threshold = (i + 1) / bins; }
    }
    return threshold;
  }

  function percentile(values, q) {
    var sorted = Array.prototype.slice.call(values).sort(function (a, b) { return a - b; });
    var pos = (sorted.length - 1) * q / 100, lo = Math.floor(pos), hi = Math.ceil(pos);
    return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
  }

  // Returns null for an empty drawing, else {pixels: Float32Array(784), map: how drawing
  // coordinates map to the 28 x 28 image (for the saliency overlay)}.
  function prepare(canvas) {
    var ctx = canvas.getContext("2d");
    var data = ctx.getImageData(0, 0, canvas.width, canvas.height).data;
    var w = canvas.width, h = canvas.height, gray = new Float32Array(w * h);
    for (var i = 0; i < w * h; i++) {
      // Pillow's "L" conversion: L = (R * 299 + G * 587 + B * 114) / 1000, rounded.
      var l = (data[4 * i] * 19595 + data[4 * i + 1] * 38470 + data[4 * i + 2] * 7471 + 0x8000) >> 16;
      gray[i] = l / 255;
    }
    var scale = Math.min(1, WORK_SIZE / Math.max(w, h));
    var ww = Math.max(1, Math.round(w * scale)), wh = Math.max(1, Math.round(h * scale));
    if (scale < 1) gray = resize(gray, w, h, ww, wh, "box");
    var ink = new Float32Array(ww * wh), maxInk = 0;
    for (i = 0; i < ink.length; i++) { ink[i] = 1 - gray[i]; maxInk = Math.max(maxInk, ink[i]); }
    if (maxInk < 0.15) return null;
    var t = otsu(ink), inside = [];
    for (i = 0; i < ink.length; i++) if (ink[i] > t) inside.push(ink[i]);
    var solid = Math.max(percentile(inside, 90), 1e-3);
    var top = wh, bottom = -1, left = ww, right = -1;
    for (var y = 0; y < wh; y++) for (var x = 0; x < ww; x++) {
      var v = ink[y * ww + x];
      if (v > t) {
        ink[y * ww + x] = Math.min(1, v / solid);
        if (y < top) top = y; if (y > bottom) bottom = y; if (x < left) left = x; if (x > right) right = x;
      } else ink[y * ww + x] = 0;
    }
    var cw = right - left + 1, ch = bottom - top + 1, crop = new Float32Array(cw * ch);
    for (y = 0; y < ch; y++) for (x = 0; x < cw; x++) crop[y * cw + x] = ink[(top + y) * ww + left + x];
    var s = BOX / Math.max(cw, ch);
    var dw = Math.max(1, Math.round(cw * s)), dh = Math.max(1, Math.round(ch * s));
    var digit = resize(crop, cw, ch, dw, dh, s < 1 ? "box" : "bilinear");
    var image = new Float32Array(CANVAS * CANVAS);
    var offY = Math.floor((CANVAS - dh) / 2), offX = Math.floor((CANVAS - dw) / 2);
    for (y = 0; y < dh; y++) for (x = 0; x < dw; x++) image[(offY + y) * CANVAS + offX + x] = Math.min(1, Math.max(0, digit[y * dw + x]));
    var mass = 0, my = 0, mx = 0;
    for (y = 0; y < CANVAS; y++) for (x = 0; x < CANVAS; x++) { v = image[y * CANVAS + x]; mass += v; my += v * y; mx += v * x; }
    var shiftY = CENTER - my / mass, shiftX = CENTER - mx / mass;
    // Bilinear shift with black outside, sampling the source at (x - shiftX, y - shiftY).
    var out = new Float32Array(CANVAS * CANVAS), peak = 0;
    for (y = 0; y < CANVAS; y++) for (x = 0; x < CANVAS; x++) {
      var sy = y - shiftY, sx = x - shiftX, y0 = Math.floor(sy), x0 = Math.floor(sx), fy = sy - y0, fx = sx - x0, acc = 0;
      for (var dy = 0; dy <= 1; dy++) for (var dx = 0; dx <= 1; dx++) {
        var yy = y0 + dy, xx = x0 + dx;
        if (yy < 0 || yy >= CANVAS || xx < 0 || xx >= CANVAS) continue;
        acc += image[yy * CANVAS + xx] * (dy ? fy : 1 - fy) * (dx ? fx : 1 - fx);
      }
      out[y * CANVAS + x] = acc;
      peak = Math.max(peak, acc);
    }
    for (i = 0; i < out.length; i++) out[i] = peak > 0 ? Math.min(1, out[i] / peak) : 0;
    // Drawing pixel (px, py) lands at 28 x 28 position ((px * scale - left) * s + offX + shiftX, ...).
    return { pixels: out, map: { scale: scale * s, x: -left * s + offX + shiftX, y: -top * s + offY + shiftY } };
  }

  // ---------------------------------------------------------------- the page

  function colorFor(value, max) {
    // White (0) to orange-red (max): how lit a unit is.
    var t = max > 0 ? Math.max(0, Math.min(1, value / max)) : 0;
    return "rgb(" + Math.round(255 - 20 * t) + "," + Math.round(255 - 160 * t) + "," + Math.round(255 - 230 * t) + ")";
  }

  function drawGray(canvas, pixels, size) {
    var ctx = canvas.getContext("2d"), img = ctx.createImageData(size, size);
    for (var i = 0; i < size * size; i++) {
      var v = Math.round(255 * pixels[i]);
      img.data[4 * i] = img.data[4 * i + 1] = img.data[4 * i + 2] = v;
      img.data[4 * i + 3] = 255;
    }
    ctx.putImageData(img, 0, 0);
  }

  function signedImage(values, size) {
    var limit = 0;
    for (var i = 0; i < values.length; i++) limit = Math.max(limit, Math.abs(values[i]));
    var canvas = document.createElement("canvas");
    canvas.width = canvas.height = size;
    var ctx = canvas.getContext("2d"), img = ctx.createImageData(size, size);
    for (i = 0; i < size * size; i++) {
      var t = limit ? values[i] / limit : 0;
      img.data[4 * i] = t > 0 ? 255 : Math.round(255 * (1 + t));
      img.data[4 * i + 1] = Math.round(255 * (1 - Math.abs(t)));
      img.data[4 * i + 2] = t < 0 ? 255 : Math.round(255 * (1 - t));
      img.data[4 * i + 3] = Math.round(200 * Math.abs(t));
    }
    ctx.putImageData(img, 0, 0);
    return canvas;
  }

  function svg(tag, attrs) {
    var el = document.createElementNS("http://www.w3.org/2000/svg", tag);
    for (var k in attrs) el.setAttribute(k, attrs[k]);
    return el;
  }

  var MAX_UNITS_DRAWN = 256;

  function buildLayerView(root, net, onToggle) {
    var hidden = net.filter(function (l, i) { return l.type === "dense" && net[i + 1] && net[i + 1].type !== "dense"; });
    var columns = hidden.map(function (l, h) {
      var n = l.nOut, drawn = [];
      var step = Math.max(1, n / MAX_UNITS_DRAWN);
      for (var k = 0; k < Math.min(n, MAX_UNITS_DRAWN); k++) drawn.push(Math.round(k * step));
      return { hidden: h, units: drawn, cols: Math.ceil(Math.sqrt(2 * drawn.length)) };
    });
    var cell = 14, gap = 60, width = 0, height = 10 * 26;
    columns.forEach(function (c) { c.x = width; c.rows = Math.ceil(c.units.length / c.cols); width += c.cols * cell + gap; height = Math.max(height, c.rows * cell); });
    var outX = width + 20;
    var view = svg("svg", { viewBox: "-4 -24 " + (outX + 80) + " " + (height + 30), role: "img", "aria-label": "the network's layers, lit by their activations" });
    var lines = svg("g", { "class": "links" });
    view.appendChild(lines);
    var cells = [];
    columns.forEach(function (c, ci) {
      var label = svg("text", { x: c.x, y: -8, "class": "layer-label" });
      label.textContent = "hidden layer " + (ci + 1) + (c.units.length < hidden[ci].nOut ? " (" + c.units.length + " of " + hidden[ci].nOut + ")" : " (" + hidden[ci].nOut + " units)");
      view.appendChild(label);
      cells.push(c.units.map(function (unit, k) {
        var x = c.x + (k % c.cols) * cell, y = Math.floor(k / c.cols) * cell;
        var rect = svg("rect", { x: x, y: y, width: cell - 2, height: cell - 2, rx: 2, "class": "unit", "data-layer": c.hidden, "data-unit": unit, tabindex: 0 });
        var title = svg("title", {});
        title.textContent = "layer " + (c.hidden + 1) + ", unit " + unit + ": click to switch off or on";
        rect.appendChild(title);
        rect.addEventListener("click", function () { onToggle(c.hidden, unit); });
        rect.addEventListener("keydown", function (e) { if (e.key === "Enter" || e.key === " ") { e.preventDefault(); onToggle(c.hidden, unit); } });
        view.appendChild(rect);
        return { rect: rect, unit: unit, cx: x + cell / 2, cy: y + cell / 2 };
      }));
    });
    var outputs = [];
    var outLabel = svg("text", { x: outX - 10, y: -8, "class": "layer-label" });
    outLabel.textContent = "output";
    view.appendChild(outLabel);
    for (var d = 0; d < 10; d++) {
      var circle = svg("circle", { cx: outX, cy: d * 26 + 10, r: 10, "class": "unit output" });
      var text = svg("text", { x: outX + 16, y: d * 26 + 15, "class": "digit-label" });
      text.textContent = String(d);
      view.appendChild(circle);
      view.appendChild(text);
      outputs.push({ circle: circle, cx: outX, cy: d * 26 + 10 });
    }
    root.appendChild(view);
    return { cells: cells, outputs: outputs, lines: lines };
  }

  function updateLayerView(layers, result, disabled, winner) {
    result.steps.forEach(function (st) {
      if (!st.activation) return;
      var drawn = layers.cells[st.hidden], max = 0;
      for (var j = 0; j < st.A.length; j++) max = Math.max(max, st.A[j]);
      var off = disabled[st.hidden];
      drawn.forEach(function (c) {
        var isOff = off && off.has(c.unit);
        c.rect.style.fill = isOff ? "#9aa3ad" : colorFor(st.A[c.unit], max);
        c.rect.classList.toggle("off", !!isOff);
      });
    });
    var probs = result.probs;
    layers.outputs.forEach(function (o, d) {
      o.circle.style.fill = colorFor(probs[d], 1);
      o.circle.classList.toggle("winner", d === winner);
    });
    // The strongest contributions to the winning score: A_j * W[j, winner] of the last hidden layer.
    var lines = layers.lines;
    while (lines.firstChild) lines.removeChild(lines.firstChild);
    var last = null;
    result.steps.forEach(function (st) { if (st.activation) last = st; });
    if (!last) return;
    var outLayer = result.steps[result.steps.length - 1].layer, drawnLast = layers.cells[last.hidden];
    var contributions = drawnLast.map(function (c) { return { c: c, v: last.A[c.unit] * outLayer.W[c.unit * outLayer.nOut + winner] }; });
    contributions.sort(function (a, b) { return b.v - a.v; });
    contributions.slice(0, 8).forEach(function (item) {
      if (item.v <= 0) return;
      lines.appendChild(svg("line", { x1: item.c.cx, y1: item.c.cy, x2: layers.outputs[winner].cx, y2: layers.outputs[winner].cy, "class": "link" }));
    });
  }

  function start() {
    var root = document.getElementById("playground-app");
    var source = document.getElementById("network");
    if (!root || !source) return;
    var net = loadNetwork(JSON.parse(source.textContent));
    var pad = document.getElementById("pad"), overlay = document.getElementById("pad-overlay");
    var input28 = document.getElementById("input28"), bars = document.getElementById("bars");
    var answer = document.getElementById("answer"), timing = document.getElementById("timing");
    var disabled = {}, state = { result: null, pixels: null, times: [] };
    var ctx = pad.getContext("2d");

    function clearPad() {
      ctx.save();
      ctx.fillStyle = "#ffffff";
      ctx.fillRect(0, 0, pad.width, pad.height);
      ctx.restore();
      update();
    }

    var barEls = [];
    for (var d = 0; d < 10; d++) {
      var row = document.createElement("div");
      row.className = "bar-row";
      row.innerHTML = '<span class="bar-digit">' + d + '</span><span class="bar-track"><span class="bar-fill"></span></span><span class="bar-value">-</span>';
      bars.appendChild(row);
      barEls.push(row);
    }

    var layers = buildLayerView(document.getElementById("layers"), net, function (layer, unit) {
      disabled[layer] = disabled[layer] || new Set();
      if (disabled[layer].has(unit)) disabled[layer].delete(unit); else disabled[layer].add(unit);
      update();
    });

    function update() {
      var started = performance.now();
      var prepared = prepare(pad);
      var octx = overlay.getContext("2d");
      octx.setTransform(1, 0, 0, 1, 0, 0);
      octx.clearRect(0, 0, overlay.width, overlay.height);
      if (!prepared) {
        state.result = null;
        state.pixels = null;
        answer.textContent = "Draw a digit";
        barEls.forEach(function (row) { row.querySelector(".bar-fill").style.width = "0%"; row.querySelector(".bar-value").textContent = "-"; row.classList.remove("top"); });
        drawGray(input28, new Float32Array(784), 28);
        return;
      }
      var result = forward(net, prepared.pixels, disabled);
      var winner = 0;
      for (var k = 1; k < 10; k++) if (result.probs[k] > result.probs[winner]) winner = k;
      state.result = result;
      state.pixels = prepared.pixels;
      state.winner = winner;
      answer.textContent = "The network reads " + winner + " (" + Math.round(100 * result.probs[winner]) + "%)";
      answer.setAttribute("data-digit", String(winner));
      barEls.forEach(function (row, d) {
        row.querySelector(".bar-fill").style.width = (100 * result.probs[d]).toFixed(1) + "%";
        row.querySelector(".bar-value").textContent = (100 * result.probs[d]).toFixed(1) + "%";
        row.setAttribute("data-p", result.probs[d].toFixed(6));
        row.classList.toggle("top", d === winner);
      });
      drawGray(input28, prepared.pixels, 28);
      updateLayerView(layers, result, disabled, winner);
      // Saliency, mapped back from 28 x 28 onto the drawing.
      var sal = signedImage(saliency(result, winner, disabled), 28), m = prepared.map;
      octx.imageSmoothingEnabled = true;
      octx.setTransform(1 / m.scale, 0, 0, 1 / m.scale, -m.x / m.scale, -m.y / m.scale);
      octx.drawImage(sal, 0, 0);
      octx.setTransform(1, 0, 0, 1, 0, 0);
      var ms = performance.now() - started;
      state.times.push(ms);
      timing.textContent = "last update " + ms.toFixed(1) + " ms";
    }

    // Drawing with mouse, pen or finger (pointer events), throttled to one update per frame.
    var drawing = false, last = null, pending = false;
    function point(e) {
      var r = pad.getBoundingClientRect();
      return { x: (e.clientX - r.left) * pad.width / r.width, y: (e.clientY - r.top) * pad.height / r.height };
    }
    function schedule() {
      if (pending) return;
      pending = true;
      requestAnimationFrame(function () { pending = false; update(); });
    }
    pad.addEventListener("pointerdown", function (e) {
      drawing = true;
      last = point(e);
      pad.setPointerCapture(e.pointerId);
      ctx.beginPath();
      ctx.arc(last.x, last.y, ctx.lineWidth / 2, 0, 2 * Math.PI);
      ctx.fill();
      schedule();
    });
    pad.addEventListener("pointermove", function (e) {
      if (!drawing) return;
      var p = point(e);
      ctx.beginPath();
      ctx.moveTo(last.x, last.y);
      ctx.lineTo(p.x, p.y);
      ctx.stroke();
      last = p;
      schedule();
    });
    function stop() { drawing = false; update(); }
    pad.addEventListener("pointerup", stop);
    pad.addEventListener("pointercancel", stop);

    // A brush close to MNIST's stroke: 14% of a digit's height, for a digit about 70% of the pad high.
    ctx.lineWidth = Math.round(0.14 * 0.7 * pad.height);
    ctx.lineCap = "round";
    ctx.lineJoin = "round";
    ctx.strokeStyle = ctx.fillStyle = "#111111";
    document.getElementById("clear").addEventListener("click", clearPad);
    document.getElementById("reset").addEventListener("click", function () { disabled = {}; update(); });
    root.hidden = false;
    clearPad();

    // For tests and the curious: the same functions the page uses.
    window.digitnet = {
      network: net,
      predict: function (pixels) { return Array.from(forward(net, Float32Array.from(pixels), {}).probs); },
      prepareDrawing: function () { var p = prepare(pad); return p ? Array.from(p.pixels) : null; },
      state: state,
    };
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
