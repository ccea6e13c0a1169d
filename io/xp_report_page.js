/* report.html behaviour (embedded by io/report.cmake). Reads the data blob
 * from <script id="xp-data">, draws the rule graph with cytoscape when it
 * was bundled (nodes = activities, edges = rules, one compound parent per
 * cluster, paper Fig. 6), and fills the cluster table and the side panel.
 * With #selftest in the URL it clicks through the page itself and writes
 * the results as JSON into <pre id="selftest"> (tests/report). */
(function () {
  "use strict";
  var T0 = Date.now();
  var D = JSON.parse(document.getElementById("xp-data").textContent);
  var PAL = ["#66c2a5", "#fc8d62", "#8da0cb", "#e78ac3", "#a6d854", "#ffd92f", "#e5c494",
             "#b3b3b3", "#1b9e77", "#d95f02", "#7570b3", "#e7298a"];
  var S = { minScore: 0, group: -2, query: "", collapse: true };
  var cy = null, timings = {};
  function $(id) { return document.getElementById(id); }
  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined) e.textContent = text;
    return e;
  }
  function color(g) { return g < 0 ? "#999999" : PAL[g % PAL.length]; }
  function fmt(x) {
    if (x === null || x === undefined) return "-";
    var m = (+x).toPrecision(4).split("e");
    if (m[0].indexOf(".") >= 0) m[0] = m[0].replace(/\.?0+$/, "");
    return m.join("e");
  }
  function count(n) { return n === null || n === undefined ? "-" : String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ","); }

  /* Which rules pass the filters (min score, cluster, search text). */
  function nodeMatches(n, q) {
    var nd = D.nodes[n];
    return (nd.id + " " + nd.label).toLowerCase().indexOf(q) >= 0;
  }
  function ruleVisible(i) {
    var r = D.rules[i];
    if (r.s < S.minScore) return false;
    if (S.group !== -2 && r.g !== S.group) return false;
    if (S.query && !nodeMatches(r.l, S.query) && !nodeMatches(r.r, S.query)) return false;
    return true;
  }

  /* Deterministic layout: each cluster a disc (a circle when small, a
   * sunflower when large), discs packed in rows; no force simulation, so a
   * few thousand rules draw at once. */
  function discLayout(ids, pos) {
    var n = ids.length, SP = 70, i, r = 0;
    if (n === 1) { pos[ids[0]] = { x: 0, y: 0 }; return 90; } /* room for the label */
    if (n <= 24) {
      r = Math.max(SP, n * SP / (2 * Math.PI));
      for (i = 0; i < n; i++) {
        var a = 2 * Math.PI * i / n - Math.PI / 2;
        pos[ids[i]] = { x: r * Math.cos(a), y: r * Math.sin(a) };
      }
      return r + 90;
    }
    var ga = Math.PI * (3 - Math.sqrt(5)), c = SP * 0.62;
    for (i = 0; i < n; i++) {
      var rr = c * Math.sqrt(i + 0.5), th = i * ga;
      pos[ids[i]] = { x: rr * Math.cos(th), y: rr * Math.sin(th) };
      r = Math.max(r, rr);
    }
    return r + 90;
  }
  function packGroups(groups, pos) {
    var area = 0, discs = [], k, x = 0, y = 0, rowH = 0;
    groups.forEach(function (g) {
      var local = {}, R = discLayout(g.ids, local);
      discs.push({ g: g, R: R, local: local });
      area += 4 * R * R;
    });
    var W = Math.max(Math.sqrt(area) * 1.3, discs.length ? 2 * discs[0].R : 0);
    discs.forEach(function (d) {
      /* gaps leave room for the compound parent's padding and title */
      if (x > 0 && x + 2 * d.R > W) { x = 0; y += rowH + 110; rowH = 0; }
      for (k in d.local) pos[k] = { x: d.local[k].x + x + d.R, y: d.local[k].y + y + d.R };
      x += 2 * d.R + 80;
      rowH = Math.max(rowH, 2 * d.R);
    });
  }

  /* Graph elements for the current filters. Collapsed cliques become one
   * node each; rules inside a clique are then not drawn. */
  function elements() {
    var rep = {}, els = [], seen = {}, groups = {}, order = [], pos = {}, edges = {};
    if (S.collapse) {
      D.clusters.forEach(function (c, g) {
        c.cliques.forEach(function (q, k) {
          q.nodes.forEach(function (n) { rep[n] = "q" + g + "_" + k; });
        });
      });
    }
    function addNode(n) {
      var id = rep[n] !== undefined ? rep[n] : "n" + n;
      if (seen[id]) return id;
      var g = D.nodes[n].g, label = D.nodes[n].label + " (" + D.nodes[n].act + ")";
      var data = { id: id, label: label, g: g, node: n, color: color(g) };
      if (rep[n] !== undefined) {
        var p = id.substring(1).split("_"), q = D.clusters[+p[0]].cliques[+p[1]];
        data.label = "clique of " + q.nodes.length + " (" + q.nrules + " rules)";
        data.clique = id; data.node = -1; data.cg = +p[0]; data.ck = +p[1];
      }
      if (g >= 0) data.parent = "c" + g;
      seen[id] = true;
      els.push({ group: "nodes", data: data, classes: data.clique ? "clique" : "" });
      var key = g < 0 ? "none" : "c" + g;
      if (!groups[key]) { groups[key] = { ids: [], g: g }; order.push(key); }
      groups[key].ids.push(id);
      return id;
    }
    for (var i = 0; i < D.rules.length; i++) {
      if (!ruleVisible(i)) continue;
      var r = D.rules[i], a = addNode(r.l), b = addNode(r.r);
      if (a === b) continue;
      var ek = a + ">" + b;
      if (edges[ek]) { edges[ek].data.n++; continue; }
      edges[ek] = { group: "edges", data: { id: "r" + i, source: a, target: b, rule: i, s: r.s, n: 1,
                    color: color(r.g) }, classes: r.cut ? "cut" : "" };
    }
    order.sort(function (x, y) {
      return (groups[x].g < 0 ? 1e9 : groups[x].g) - (groups[y].g < 0 ? 1e9 : groups[y].g);
    });
    var parents = [];
    order.forEach(function (k) {
      var g = groups[k].g;
      if (g < 0) return;
      var c = D.clusters[g];
      parents.push({ group: "nodes", data: { id: k, label: "cluster " + c.id + " (" + c.rules.length + " rules)",
                     g: g, color: color(g), cluster: g }, classes: "cluster" });
    });
    packGroups(order.map(function (k) { return groups[k]; }), pos);
    els.forEach(function (e) { e.position = pos[e.data.id]; });
    return parents.concat(els, Object.keys(edges).map(function (k) { return edges[k]; }));
  }

  var STYLE = [
    { selector: "node", style: { "background-color": "data(color)", "label": "data(label)", "font-size": 9,
      "width": 14, "height": 14, "text-valign": "bottom", "text-margin-y": 2, "min-zoomed-font-size": 7,
      "text-wrap": "ellipsis", "text-max-width": 160, "border-width": 1, "border-color": "#555" } },
    { selector: "node.clique", style: { "shape": "hexagon", "width": 26, "height": 26 } },
    { selector: "node.cluster", style: { "background-opacity": 0.12, "border-color": "data(color)",
      "border-width": 2, "shape": "round-rectangle", "text-valign": "top", "font-size": 14,
      "font-weight": "bold", "padding": 14, "min-zoomed-font-size": 4 } },
    { selector: "edge", style: { "width": 1.2, "line-color": "data(color)", "curve-style": "straight",
      "target-arrow-shape": "triangle", "target-arrow-color": "data(color)", "arrow-scale": 0.6, "opacity": 0.75 } },
    { selector: "edge.cut", style: { "line-style": "dashed", "line-color": "#888", "target-arrow-color": "#888" } },
    { selector: ":selected", style: { "border-width": 3, "border-color": "#000", "line-color": "#000",
      "target-arrow-color": "#000", "width": 3 } },
    { selector: ".hit", style: { "border-width": 3, "border-color": "#d00" } }
  ];

  function drawGraph() {
    if (!window.cytoscape) return;
    var t = Date.now(), els = elements();
    if (els.length > 0 && els.filter(function (e) { return e.group === "edges"; }).length > 4000)
      STYLE[3].style["curve-style"] = "haystack";
    if (!cy) {
      cy = window.cytoscape({ container: $("graph"), elements: els, style: STYLE, layout: { name: "preset" },
        wheelSensitivity: 0.3, textureOnViewport: D.rules.length > 1500, hideEdgesOnViewport: D.rules.length > 1500,
        pixelRatio: 1, boxSelectionEnabled: false });
      cy.on("tap", "node", function (ev) { tapNode(ev.target.data()); });
      cy.on("tap", "edge", function (ev) { showRule(ev.target.data("rule")); });
      cy.one("render", function () { timings.firstRenderMs = Date.now() - T0; });
    } else {
      cy.batch(function () { cy.elements().remove(); cy.add(els); });
    }
    cy.fit(undefined, 20);
    if (S.query) cy.nodes().filter(function (n) { return n.data("node") >= 0 && nodeMatches(n.data("node"), S.query); }).addClass("hit");
    timings.lastBuildMs = Date.now() - t;
  }
  function tapNode(d) {
    if (d.cluster !== undefined) showCluster(d.cluster);
    else if (d.clique) showClique(d.cg, d.ck);
    else showNode(d.node);
  }

  /* Side panel. */
  function ruleBox(i) {
    var r = D.rules[i], box = el("div", "rule");
    box.style.borderLeftColor = color(r.g);
    box.appendChild(el("div", "txt", "#" + i + " [" + fmt(r.s) + "] " + r.text));
    var m = r.t + (r.sup !== null ? "; support " + count(r.sup) : "") + "; cluster " +
      (r.g >= 0 ? D.clusters[r.g].id : "none") + (r.cut ? " (cut)" : "") +
      "; windows " + count(r.n[0]) + " / " + count(r.n[1]) + " / both " + count(r.n[2]) + " of " + count(r.n[3]) +
      (r.q !== null ? "; q " + fmt(r.q) : "") + (r.lift !== null ? "; lift " + fmt(r.lift) : "");
    box.appendChild(el("div", "meta", m));
    box.appendChild(el("div", "x", r.x));
    box.onclick = function () { if (cy) { cy.elements().unselect(); cy.$id("r" + i).select(); } };
    return box;
  }
  function panel(title, list, pre) {
    var p = $("panel");
    p.textContent = "";
    p.appendChild(el("h2", "", title));
    (pre || []).forEach(function (x) { p.appendChild(x); });
    var shown = list.slice(0, 2000);
    shown.forEach(function (i) { p.appendChild(ruleBox(i)); });
    if (list.length > shown.length) p.appendChild(el("p", "muted", (list.length - shown.length) + " more rules not shown"));
    if (!list.length) p.appendChild(el("p", "muted", "No rules."));
  }
  function cliqueBox(g, k) {
    var q = D.clusters[g].cliques[k], b = el("div", "clique");
    b.appendChild(el("div", "", "Clique of " + q.nodes.length + " activities (" + q.nrules +
      " rules, scores " + fmt(q.min) + " to " + fmt(q.max) + "): every ordered pair is a rule."));
    b.appendChild(el("div", "txt", q.nodes.map(function (n) {
      return D.nodes[n].label + " (" + D.nodes[n].act + ")"; }).join(" \u21d4 ")));
    return b;
  }
  function showCluster(g) {
    var c = D.clusters[g];
    selectRow(g);
    panel("Cluster " + c.id + ": " + c.rules.length + " rules, " + c.nodes.length + " activities, total score " +
      fmt(c.total) + (c.spectral ? " (spectral)" : ""), c.rules,
      c.cliques.map(function (q, k) { return cliqueBox(g, k); }));
  }
  function showClique(g, k) {
    var q = D.clusters[g].cliques[k], inq = {}, list = [];
    q.nodes.forEach(function (n) { inq[n] = 1; });
    D.clusters[g].rules.forEach(function (i) { if (inq[D.rules[i].l] && inq[D.rules[i].r]) list.push(i); });
    panel("Clique in cluster " + D.clusters[g].id, list, [cliqueBox(g, k)]);
  }
  function showNode(n) {
    var list = [];
    D.rules.forEach(function (r, i) { if (r.l === n || r.r === n) list.push(i); });
    panel(D.nodes[n].label + " (" + D.nodes[n].act + "): " + list.length + " rules", list,
      [el("div", "muted", D.nodes[n].id)]);
  }
  function showRule(i) { panel("Rule #" + i, [i]); }
  function showSearch() {
    var list = [];
    for (var i = 0; i < D.rules.length; i++) if (ruleVisible(i)) list.push(i);
    panel((S.query ? "Rules matching \u201c" + S.query + "\u201d" : "Rules") + ": " + list.length, list);
  }
  function selectRow(g) {
    var rows = $("clusters").tBodies[0].rows;
    for (var i = 0; i < rows.length; i++) rows[i].className = +rows[i].dataset.g === g ? "sel" : "";
  }

  function buildTables() {
    var tb = $("clusters").tBodies[0], sel = $("fcluster");
    D.clusters.forEach(function (c, g) {
      var tr = document.createElement("tr"), td = el("td");
      tr.dataset.g = g;
      var sw = el("span", "swatch"); sw.style.background = color(g);
      td.appendChild(sw); td.appendChild(document.createTextNode(String(c.id)));
      tr.appendChild(td);
      tr.appendChild(el("td", "num", count(c.rules.length)));
      tr.appendChild(el("td", "num", count(c.nodes.length)));
      tr.appendChild(el("td", "num", String(c.cliques.length)));
      tr.appendChild(el("td", "num", fmt(c.total)));
      tr.onclick = function () { showCluster(g); if (cy) { cy.elements().unselect(); cy.$id("c" + g).select(); } };
      tb.appendChild(tr);
      var o = el("option", "", "cluster " + c.id); o.value = g; sel.appendChild(o);
    });
    var o2 = el("option", "", "no cluster"); o2.value = -1; sel.appendChild(o2);
    var m = D.meta;
    $("summary").textContent = count(m.rules) + " rules, " + count(m.nodes) + " activities, " + m.clusters +
      " clusters, " + m.cut + " cut, " + m.loose + " in no cluster" +
      (m.windows ? "; " + count(m.windows) + " windows" + (m.window ? " of " + m.window + " s" : "") : "") +
      (m.names ? "; names from " + m.names : "");
  }
  function wire() {
    var again = function () { drawGraph(); showSearch(); };
    $("fscore").oninput = function () { S.minScore = +this.value || 0; again(); };
    $("fcluster").onchange = function () { S.group = +this.value; again(); };
    $("fsearch").oninput = function () { S.query = this.value.trim().toLowerCase(); again(); };
    $("fcollapse").onchange = function () { S.collapse = this.checked; drawGraph(); };
  }

  function selftest() {
    var out = { lib: !!window.cytoscape, expected: { rules: D.rules.length, nodes: D.nodes.length,
      clusters: D.clusters.length } };
    out.clusterRows = $("clusters").tBodies[0].rows.length;
    if (cy) {
      out.collapsed = { nodes: cy.nodes(":childless").length, edges: cy.edges().length, parents: cy.nodes(":parent").length };
      S.collapse = false; $("fcollapse").checked = false; drawGraph();
      out.graph = { nodes: cy.nodes(":childless").length, edges: cy.edges().length, parents: cy.nodes(":parent").length };
    }
    if (out.clusterRows > 0) {
      $("clusters").tBodies[0].rows[0].click();
      out.clickCluster = { id: D.clusters[0].id, expectedRules: D.clusters[0].rules.length,
        panelRules: $("panel").querySelectorAll(".rule").length, panelCliques: $("panel").querySelectorAll(".clique").length,
        title: $("panel").querySelector("h2").textContent };
    }
    if (cy && D.rules.length) {
      var n = D.rules[0].l, want = 0;
      D.rules.forEach(function (r) { if (r.l === n || r.r === n) want++; });
      cy.$id("n" + n).emit("tap");
      out.tapNode = { expectedRules: want, panelRules: $("panel").querySelectorAll(".rule").length };
    }
    out.timings = timings;
    out.ok = true;
    $("selftest").textContent = JSON.stringify(out);
  }

  buildTables();
  wire();
  if (!window.cytoscape) {
    $("graph").appendChild(el("div", "", "The graph library was not bundled when this report was built " +
      "(node_modules/cytoscape missing): the tables below still work."));
    $("graph").firstChild.id = "nograph";
  }
  timings.tablesMs = Date.now() - T0;
  drawGraph();
  timings.graphBuildMs = Date.now() - T0;
  if (D.clusters.length) showCluster(0); else showSearch();
  if (location.hash === "#selftest") {
    var done = false, once = function () { if (!done) { done = true; selftest(); } };
    if (cy) { cy.one("render", function () { setTimeout(once, 0); }); setTimeout(once, 3000); }
    else once();
  }
})();
