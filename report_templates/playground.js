// digitnet playground: draw a digit and watch the trained network read it.
//
// Plain JavaScript, no libraries, nothing fetched: the network's weights are in the page
// (a <script type="application/json" id="network"> block written by the export_network
// rule). The forward pass (dense, convolution, max pooling, activations), the MNIST-style
// preparation of the drawing and the saliency map mirror the Python code (digitnet/nn/,
// digitnet/preprocess.py, digitnet/trace.py); the browser tests check that both give the
// same answers.
(function () {
  "use strict";

  // ---------------------------------------------------------------- the network

  function decodeFloat32(base64) {
    var bytes = atob(base64);
    var buffer = new Uint8Array(bytes.length);
    for (var i = 0; i < bytes.length; i++) buffer[i] = bytes.charCodeAt(i);
    return new Float32Array(buffer.buffer);
  }

  function product(shape) {
    return shape.reduce(function (a, b) { return a * b; }, 1);
  }

  // The row-major array a of the given shape with its axes in the order ``axes``
  // (NumPy's a.transpose(axes)), a new array.
  function permute(a, shape, axes) {
    var newShape = axes.map(function (axis) { return shape[axis]; }), strides = [], n = a.length;
    for (var d = shape.length - 1, step = 1; d >= 0; step *= shape[d], d--) strides[d] = step;
    var out = new Float32Array(n), index = newShape.map(function () { return 0; });
    for (var o = 0; o < n; o++) {
      var from = 0;
      for (d = 0; d < axes.length; d++) from += index[d] * strides[axes[d]];
      out[o] = a[from];
      for (d = axes.length - 1; d >= 0 && ++index[d] === newShape[d]; d--) index[d] = 0;
    }
    return out;
  }

  var ACTIVATIONS = { relu: true, leaky_relu: true, sigmoid: true, tanh: true };
  var INPUT_PIXELS = 784;

  // Layers as in Python, in order, each with the shape it reads (inShape) and the shape it
  // writes (shape: (C, H, W) for feature maps, (D,) for vectors; exported by Python).
  // dense: W (in, out) row-major, b (out,); conv2d: W (F, C, k, k), b (F,), stride, padding;
  // maxpool2d: size, stride; reshape and flatten change the shape only.
  // A weighted layer other than the last has units the reader can switch off (a conv
  // layer's filters, a dense layer's units): their values are forced to 0 after the
  // activation that follows the layer (or at the layer's output when none follows); that
  // layer carries owner: the index of the weighted layer whose units it shows.
  function loadNetwork(spec) {
    var inShape = [INPUT_PIXELS];
    var net = spec.layers.map(function (entry, index) {
      var layer = { type: entry.type, index: index, inShape: inShape, shape: entry.shape, size: product(entry.shape) };
      if (entry.type === "dense") {
        layer.nIn = entry.in;
        layer.nOut = entry.out;
      } else if (entry.type === "conv2d") {
        layer.C = entry.in_channels;
        layer.F = entry.filters;
        layer.k = entry.kernel;
        layer.stride = entry.stride;
        layer.padding = entry.padding;
        layer.H = inShape[1];
        layer.Wd = inShape[2];
        layer.Ho = entry.shape[1];
        layer.Wo = entry.shape[2];
      } else if (entry.type === "maxpool2d") {
        layer.poolSize = entry.size;
        layer.stride = entry.stride;
      } else if (entry.type === "leaky_relu") {
        layer.alpha = entry.alpha;
      } else if (!ACTIVATIONS[entry.type] && entry.type !== "reshape" && entry.type !== "flatten") {
        throw new Error("the playground has no JavaScript for " + entry.type + " layers");
      }
      if (entry.W) { layer.W = decodeFloat32(entry.W); layer.b = decodeFloat32(entry.b); }
      if (entry.type === "conv2d") {
        layer.Wf = permute(layer.W, [layer.F, layer.C, layer.k, layer.k], [1, 2, 3, 0]);
        layer.Wb = permute(layer.W, [layer.F, layer.C, layer.k, layer.k], [0, 2, 3, 1]);
      }
      inShape = entry.shape;
      return layer;
    });
    net.forEach(function (layer, l) {
      if ((layer.type === "conv2d" || layer.type === "dense") && l < net.length - 1) {
        layer.shownAt = ACTIVATIONS[net[l + 1].type] ? l + 1 : l;
        net[layer.shownAt].owner = l;
      }
    });
    return net;
  }

  // Every array the forward pass and the saliency write, made once per network and reused
  // on every update (a fresh Float32Array per layer and update cost more than the sums).
  function makeWorkspace(net) {
    return net.map(function (layer) {
      var w = { out: new Float32Array(layer.size), grad: new Float32Array(product(layer.inShape)) };
      if (layer.type === "conv2d") {
        w.acc = new Float32Array(layer.size);
        w.gradAcc = new Float32Array(w.grad.length);
      }
      if (layer.type === "maxpool2d") w.argmax = new Int32Array(layer.size);
      return w;
    });
  }

  function activate(layer, z, a) {
    var type = layer.type, alpha = layer.alpha, n = z.length, j, v;
    if (type === "relu") for (j = 0; j < n; j++) { v = z[j]; a[j] = v > 0 ? v : 0; }
    else if (type === "leaky_relu") for (j = 0; j < n; j++) { v = z[j]; a[j] = v > 0 ? v : alpha * v; }
    else if (type === "sigmoid") for (j = 0; j < n; j++) a[j] = 1 / (1 + Math.exp(-z[j]));
    else for (j = 0; j < n; j++) a[j] = Math.tanh(z[j]);
    return a;
  }

  // dA/dZ at each unit, from the activation's input z and output a.
  function activationGrad(layer, z, a, g, gin) {
    var type = layer.type, alpha = layer.alpha, n = z.length, j;
    if (type === "relu") for (j = 0; j < n; j++) gin[j] = z[j] > 0 ? g[j] : 0;
    else if (type === "leaky_relu") for (j = 0; j < n; j++) gin[j] = z[j] > 0 ? g[j] : alpha * g[j];
    else if (type === "sigmoid") for (j = 0; j < n; j++) gin[j] = g[j] * a[j] * (1 - a[j]);
    else for (j = 0; j < n; j++) gin[j] = g[j] * (1 - a[j] * a[j]);
    return gin;
  }

  // Z = x W + b for one sample x : (in,). Loops over the inputs, skipping zeros: most
  // pixels of a digit are paper (and many units after a ReLU are 0), so a layer costs a
  // fraction of in * out.
  function dense(layer, x, z) {
    var nIn = layer.nIn, nOut = layer.nOut, W = layer.W;
    z.set(layer.b);
    for (var i = 0; i < nIn; i++) {
      var xi = x[i];
      if (xi === 0) continue;
      var row = i * nOut;
      for (var j = 0; j < nOut; j++) z[j] += xi * W[row + j];
    }
    return z;
  }

  // dL/dx = W dL/dz : (in,), for dL/dz : (out,).
  function denseBackward(layer, g, gin) {
    var nIn = layer.nIn, nOut = layer.nOut, W = layer.W;
    for (var i = 0; i < nIn; i++) {
      var row = i * nOut, sum = 0;
      for (var k = 0; k < nOut; k++) sum += W[row + k] * g[k];
      gin[i] = sum;
    }
    return gin;
  }

  // a : (positions, channels) -> out : (channels, positions), both row-major.
  function channelsFirst(a, positions, channels, out) {
    for (var o = 0; o < positions; o++) for (var c = 0; c < channels; c++) out[c * positions + o] = a[o * channels + c];
    return out;
  }

  // The convolution, direct (no patch matrix), driven by the input's nonzero values:
  //   out[f, i, j] = b[f] + sum over c, u, v of W[f, c, u, v] x[c, i s + u - p, j s + v - p]
  // (x zero outside its H x W). Each nonzero input x[c, y, x'] adds itself, times the filter
  // weights W[:, c, u, v], to the outputs it reaches (i s = y + p - u, j s = x' + p - v): one
  // contiguous loop over the F output channels, with W laid out as Wf : (C, k, k, F) and the
  // sums kept channels-last, acc : (H', W', F), then copied out as (F, H', W'). Zeros (the
  // paper around a digit, units a ReLU switched off) cost nothing, so the work is
  // (nonzero inputs) k^2 F rather than C H W k^2 F.
  // Below the first convolution the paper around a digit is not zero but the constant that
  // a blank drawing gives (a ReLU of a positive bias); the sums are linear in x, so once the
  // blank drawing's input x0 and sums are known (setBaselines), they start from those sums
  // and add only x - x0, which is zero wherever the drawing changed nothing (for a trained
  // preset CNN, 37% of the second convolution's inputs differ from the blank drawing's, 56%
  // are nonzero).
  function conv2d(layer, x, w) {
    var C = layer.C, F = layer.F, k = layer.k, s = layer.stride, p = layer.padding, H = layer.H, Wd = layer.Wd, Ho = layer.Ho, Wo = layer.Wo;
    var Wf = layer.Wf, b = layer.b, acc = w.acc, out = w.out, x0 = layer.blankInput, n = 0, c, y, xx, u, v, f, o;
    if (x0) acc.set(layer.blankSums);
    else for (o = 0; o < Ho * Wo; o++) acc.set(b, o * F);
    for (c = 0; c < C; c++) for (y = 0; y < H; y++) for (xx = 0; xx < Wd; xx++, n++) {
      var value = x0 ? x[n] - x0[n] : x[n];
      if (value === 0) continue;
      for (u = 0; u < k; u++) {
        var ii = y + p - u, i = ii / s;
        if (ii < 0 || i >= Ho || ii % s !== 0) continue;
        for (v = 0; v < k; v++) {
          var jj = xx + p - v, j = jj / s;
          if (jj < 0 || j >= Wo || jj % s !== 0) continue;
          var at = (i * Wo + j) * F, row = ((c * k + u) * k + v) * F;
          for (f = 0; f < F; f++) acc[at + f] += value * Wf[row + f];
        }
      }
    }
    return channelsFirst(acc, Ho * Wo, F, out);
  }

  // dL/dx of the convolution: each nonzero output gradient g[f, i, j] goes back to the
  // inputs it read, dx[c, i s + u - p, j s + v - p] += W[f, c, u, v] g[f, i, j], one loop over
  // the C input channels (W laid out as Wb : (F, k, k, C), sums channels-last). Below a max
  // pool only one output in each window has a gradient, so this costs a fraction of the
  // forward pass.
  function conv2dBackward(layer, g, w) {
    var C = layer.C, F = layer.F, k = layer.k, s = layer.stride, p = layer.padding, H = layer.H, Wd = layer.Wd, Ho = layer.Ho, Wo = layer.Wo;
    var Wb = layer.Wb, acc = w.gradAcc, n = 0, f, i, j, u, v, c;
    acc.fill(0);
    for (f = 0; f < F; f++) for (i = 0; i < Ho; i++) for (j = 0; j < Wo; j++, n++) {
      var grad = g[n];
      if (grad === 0) continue;
      for (u = 0; u < k; u++) {
        var y = i * s + u - p;
        if (y < 0 || y >= H) continue;
        for (v = 0; v < k; v++) {
          var xx = j * s + v - p;
          if (xx < 0 || xx >= Wd) continue;
          var at = (y * Wd + xx) * C, row = ((f * k + u) * k + v) * C;
          for (c = 0; c < C; c++) acc[at + c] += grad * Wb[row + c];
        }
      }
    }
    return channelsFirst(acc, H * Wd, C, w.grad);
  }

  // Max pooling: out[c, i, j] = max over u, v < size of x[c, i s + u, j s + v]. Where each
  // maximum was is kept for the saliency: the first one in row-major order when several
  // tie, as in NumPy (digitnet/nn/conv.py), which is the one a strict > keeps.
  function maxpool(layer, x, w) {
    var C = layer.inShape[0], H = layer.inShape[1], Wd = layer.inShape[2], Ho = layer.shape[1], Wo = layer.shape[2];
    var size = layer.poolSize, s = layer.stride, out = w.out, argmax = w.argmax, o = 0;
    for (var c = 0; c < C; c++) for (var i = 0; i < Ho; i++) for (var j = 0; j < Wo; j++, o++) {
      var best = -Infinity, at = 0;
      for (var u = 0; u < size; u++) {
        var row = (c * H + i * s + u) * Wd + j * s;
        for (var v = 0; v < size; v++) if (x[row + v] > best) { best = x[row + v]; at = row + v; }
      }
      out[o] = best;
      argmax[o] = at;
    }
    return out;
  }

  // The blank drawing's input to each convolution and its sums there (see conv2d), from a
  // forward pass of 784 zeros made before any layer has them.
  function setBaselines(net) {
    var ws = makeWorkspace(net), result = forward(net, ws, new Float32Array(INPUT_PIXELS), {});
    net.forEach(function (layer, l) {
      if (layer.type !== "conv2d") return;
      layer.blankInput = Float32Array.from(l > 0 ? result.outputs[l - 1] : result.x);
      layer.blankSums = Float32Array.from(ws[l].acc);
    });
  }

  // The gradient of a max goes to where the maximum was.
  function maxpoolBackward(layer, g, w) {
    var gin = w.grad, argmax = w.argmax;
    gin.fill(0);
    for (var o = 0; o < argmax.length; o++) gin[argmax[o]] += g[o];
    return gin;
  }

  // Units switched off: a filter's whole feature map, or a dense unit, set to 0.
  function switchOff(values, units, layer) {
    var plane = layer.shape.length === 3 ? layer.shape[1] * layer.shape[2] : 1;
    units.forEach(function (unit) { values.fill(0, unit * plane, (unit + 1) * plane); });
  }

  function softmax(z) {
    var max = -Infinity, sum = 0, p = new Float64Array(z.length);
    for (var k = 0; k < z.length; k++) max = Math.max(max, z[k]);
    for (k = 0; k < z.length; k++) { p[k] = Math.exp(z[k] - max); sum += p[k]; }
    for (k = 0; k < z.length; k++) p[k] /= sum;
    return p;
  }

  // The forward pass for one image x : (784,), recording every layer's output (arrays of
  // the workspace, overwritten by the next pass). disabled: {weighted layer index: Set of
  // units (filters or dense units) switched off}.
  function forward(net, ws, x, disabled) {
    var outputs = [], a = x;
    for (var l = 0; l < net.length; l++) {
      var layer = net[l], w = ws[l], out;
      if (layer.type === "dense") out = dense(layer, a, w.out);
      else if (layer.type === "conv2d") out = conv2d(layer, a, w);
      else if (layer.type === "maxpool2d") out = maxpool(layer, a, w);
      else if (layer.type === "reshape" || layer.type === "flatten") out = a;  // the same numbers, row-major
      else out = activate(layer, a, w.out);
      if (layer.owner !== undefined && disabled[layer.owner]) switchOff(out, disabled[layer.owner], layer);
      outputs.push(out);
      a = out;
    }
    return { x: x, outputs: outputs, logits: a, probs: softmax(a) };
  }

  // Saliency: d logits[cls] / d x : (784,), backpropagation from a one-hot gradient on the
  // logits through every layer of the forward pass ``result``. Switched-off units are
  // constants (0), so no gradient passes through them.
  function saliency(net, ws, result, cls, disabled) {
    var g = new Float32Array(result.logits.length);
    g[cls] = 1;
    for (var l = net.length - 1; l >= 0; l--) {
      var layer = net[l], w = ws[l], input = l > 0 ? result.outputs[l - 1] : result.x;
      if (layer.owner !== undefined && disabled[layer.owner]) switchOff(g, disabled[layer.owner], layer);
      if (layer.type === "dense") g = denseBackward(layer, g, w.grad);
      else if (layer.type === "conv2d") g = conv2dBackward(layer, g, w);
      else if (layer.type === "maxpool2d") g = maxpoolBackward(layer, g, w);
      else if (layer.type !== "reshape" && layer.type !== "flatten") g = activationGrad(layer, input, result.outputs[l], g, w.grad);
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

  // White (0) to orange-red (max): how lit a unit is, as [red, green, blue].
  function shade(value, max) {
    var t = max > 0 ? Math.max(0, Math.min(1, value / max)) : 0;
    return [Math.round(255 - 20 * t), Math.round(255 - 160 * t), Math.round(255 - 230 * t)];
  }

  function colorFor(value, max) {
    return "rgb(" + shade(value, max).join(",") + ")";
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

  // One feature map values[offset .. offset + h w), shaded as the units are.
  function drawMap(canvas, values, offset, max) {
    var ctx = canvas.getContext("2d"), n = canvas.width * canvas.height, img = ctx.createImageData(canvas.width, canvas.height);
    for (var i = 0; i < n; i++) {
      var rgb = shade(values[offset + i], max);
      img.data[4 * i] = rgb[0];
      img.data[4 * i + 1] = rgb[1];
      img.data[4 * i + 2] = rgb[2];
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

  function toggleOnKeys(el, toggle) {
    el.addEventListener("click", toggle);
    el.addEventListener("keydown", function (e) { if (e.key === "Enter" || e.key === " ") { e.preventDefault(); toggle(); } });
  }

  // A sample of n units spread evenly, at most most of them: 0, n/most, 2 n/most, ...
  function evenly(n, most) {
    var step = Math.max(1, n / most), picked = [];
    for (var k = 0; k < Math.min(n, most); k++) picked.push(Math.round(k * step));
    return picked;
  }

  var MAX_UNITS_DRAWN = 256, MAPS_SHOWN = 8;

  // Each convolution's feature maps (after its activation): with more than MAPS_SHOWN
  // filters, MAPS_SHOWN of them spread evenly (filters 1, 5, 9, ... of 32; 1, 9, 17, ... of
  // 64), the same ones on every update so a map can be watched while drawing.
  function buildMapView(root, net, onToggle) {
    var rows = [];
    net.forEach(function (layer, l) {
      if (layer.type !== "conv2d" || layer.shownAt === undefined) return;
      var shape = net[layer.shownAt].shape, filters = evenly(layer.F, MAPS_SHOWN), number = rows.length + 1;
      var row = document.createElement("div");
      row.className = "map-row";
      var label = document.createElement("p");
      label.className = "small map-label";
      label.textContent = "Convolution " + number + ": " + (filters.length < layer.F
        ? filters.length + " of its " + layer.F + " feature maps (filters " + filters.map(function (f) { return f + 1; }).join(", ") + ")"
        : "its " + layer.F + " feature maps") + ", " + shape[1] + " x " + shape[2] + " each";
      row.appendChild(label);
      var maps = filters.map(function (f) {
        var canvas = document.createElement("canvas");
        canvas.width = shape[2];
        canvas.height = shape[1];
        canvas.className = "map";
        canvas.tabIndex = 0;
        canvas.setAttribute("data-layer", l);
        canvas.setAttribute("data-unit", f);
        canvas.title = "convolution " + number + ", filter " + (f + 1) + ": click to switch off or on";
        toggleOnKeys(canvas, function () { onToggle(l, f); });
        row.appendChild(canvas);
        return { canvas: canvas, unit: f };
      });
      root.appendChild(row);
      rows.push({ layer: l, shownAt: layer.shownAt, plane: shape[1] * shape[2], maps: maps });
    });
    return rows;
  }

  function updateMapView(rows, result, disabled) {
    rows.forEach(function (row) {
      var values = result.outputs[row.shownAt], max = 0, off = disabled[row.layer];
      for (var i = 0; i < values.length; i++) if (values[i] > max) max = values[i];
      row.maps.forEach(function (m) {
        drawMap(m.canvas, values, m.unit * row.plane, max);
        m.canvas.classList.toggle("off", !!(off && off.has(m.unit)));
      });
    });
  }

  // The hidden dense layers as grids of units, and the ten outputs.
  function buildLayerView(root, net, onToggle) {
    var hidden = [];
    net.forEach(function (layer, l) { if (layer.type === "dense" && layer.shownAt !== undefined) hidden.push(l); });
    var columns = hidden.map(function (l) {
      var drawn = evenly(net[l].nOut, MAX_UNITS_DRAWN);
      return { layer: l, units: drawn, cols: Math.ceil(Math.sqrt(2 * drawn.length)) };
    });
    var cell = 14, gap = 60, width = 0, height = 10 * 26;
    columns.forEach(function (c) { c.x = width; c.rows = Math.ceil(c.units.length / c.cols); width += c.cols * cell + gap; height = Math.max(height, c.rows * cell); });
    var outX = width + 20;
    var view = svg("svg", { viewBox: "-4 -24 " + (outX + 80) + " " + (height + 30), role: "img", "aria-label": "the network's dense layers, lit by their activations" });
    var lines = svg("g", { "class": "links" });
    view.appendChild(lines);
    var cells = {};
    columns.forEach(function (c, ci) {
      var n = net[c.layer].nOut, label = svg("text", { x: c.x, y: -8, "class": "layer-label" });
      label.textContent = "hidden layer " + (ci + 1) + (c.units.length < n ? " (" + c.units.length + " of " + n + ")" : " (" + n + " units)");
      view.appendChild(label);
      cells[c.layer] = c.units.map(function (unit, k) {
        var x = c.x + (k % c.cols) * cell, y = Math.floor(k / c.cols) * cell;
        var rect = svg("rect", { x: x, y: y, width: cell - 2, height: cell - 2, rx: 2, "class": "unit", "data-layer": c.layer, "data-unit": unit, tabindex: 0 });
        var title = svg("title", {});
        title.textContent = "layer " + (ci + 1) + ", unit " + unit + ": click to switch off or on";
        rect.appendChild(title);
        toggleOnKeys(rect, function () { onToggle(c.layer, unit); });
        view.appendChild(rect);
        return { rect: rect, unit: unit, cx: x + cell / 2, cy: y + cell / 2 };
      });
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
    return { hidden: hidden, cells: cells, outputs: outputs, lines: lines };
  }

  function updateLayerView(layers, net, result, disabled, winner) {
    layers.hidden.forEach(function (l) {
      var A = result.outputs[net[l].shownAt], max = 0, off = disabled[l];
      for (var j = 0; j < A.length; j++) max = Math.max(max, A[j]);
      layers.cells[l].forEach(function (c) {
        var isOff = off && off.has(c.unit);
        c.rect.style.fill = isOff ? "#9aa3ad" : colorFor(A[c.unit], max);
        c.rect.classList.toggle("off", !!isOff);
      });
    });
    var probs = result.probs;
    layers.outputs.forEach(function (o, d) {
      o.circle.style.fill = colorFor(probs[d], 1);
      o.circle.classList.toggle("winner", d === winner);
    });
    // The strongest contributions to the winning score: A_j * W[j, winner], when the output
    // layer reads a hidden dense layer's units directly.
    var lines = layers.lines;
    while (lines.firstChild) lines.removeChild(lines.firstChild);
    var outLayer = net[net.length - 1], last = layers.hidden[layers.hidden.length - 1];
    if (last === undefined || net[last].shownAt !== net.length - 2) return;
    var A = result.outputs[net.length - 2];
    var contributions = layers.cells[last].map(function (c) { return { c: c, v: A[c.unit] * outLayer.W[c.unit * outLayer.nOut + winner] }; });
    contributions.sort(function (a, b) { return b.v - a.v; });
    contributions.slice(0, 8).forEach(function (item) {
      if (item.v <= 0) return;
      lines.appendChild(svg("line", { x1: item.c.cx, y1: item.c.cy, x2: layers.outputs[winner].cx, y2: layers.outputs[winner].cy, "class": "link" }));
    });
  }

  function start() {
    var root = document.getElementById("playground-app");
    if (!root || !document.getElementById("network")) return;
    // net: the network drawn and read; ws: its workspace for the page, spare: for window.digitnet.
    var net, ws, spare, mapRows, layers;
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

    function toggle(layer, unit) {
      disabled[layer] = disabled[layer] || new Set();
      if (disabled[layer].has(unit)) disabled[layer].delete(unit); else disabled[layer].add(unit);
      update();
    }
    var layersRoot = document.getElementById("layers");

    // Read with the network in the JSON block of this id: the one trained above ("network") or,
    // when the report learned a person's handwriting, the reading network before or after
    // ("network-original", "network-tuned"; the <select> lists those the page holds).
    // Its layers are drawn anew and every unit is switched back on.
    function choose(id) {
      net = loadNetwork(JSON.parse(document.getElementById(id).textContent));
      setBaselines(net);
      ws = makeWorkspace(net);
      spare = makeWorkspace(net);
      disabled = {};
      layersRoot.textContent = "";
      mapRows = buildMapView(layersRoot, net, toggle);
      layers = buildLayerView(layersRoot, net, toggle);
    }
    choose("network");
    var select = document.getElementById("network-select");
    if (select) select.addEventListener("change", function () { choose(select.value); update(); });

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
      var result = forward(net, ws, prepared.pixels, disabled);
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
      updateMapView(mapRows, result, disabled);
      updateLayerView(layers, net, result, disabled, winner);
      // Saliency, mapped back from 28 x 28 onto the drawing.
      var sal = signedImage(saliency(net, ws, result, winner, disabled), 28), m = prepared.map;
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

    // For tests and the curious: the same functions the page uses, with the network chosen
    // (predict on its own workspace, so it leaves the page's last result alone).
    window.digitnet = {
      get network() { return net; },
      predict: function (pixels) { return Array.from(forward(net, spare, Float32Array.from(pixels), {}).probs); },
      saliency: function (pixels, cls) {
        var result = forward(net, spare, Float32Array.from(pixels), {});
        return Array.from(saliency(net, spare, result, cls, {}));
      },
      prepareDrawing: function () { var p = prepare(pad); return p ? Array.from(p.pixels) : null; },
      state: state,
    };
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
