"use strict";
(function () {
  const data = JSON.parse(document.getElementById("register").textContent);
  const MAX = 65536;
  const view = { lo: 0, hi: MAX, scope: "global", sortKey: "port", sortUp: true };
  const columns = ["id", "port", "protocol", "scope", "owner", "status", "description", "allocated", "review_by"];
  const span = (text) => { const [a, b] = String(text).split("-"); return [Number(a), Number(b || a)]; };
  const overlaps = (a, b) => a === "global" || b === "global" || a === b || a.startsWith(b + "/") || b.startsWith(a + "/");
  const inScope = (item) => item.scope.some((s) => overlaps(s, view.scope));
  const el = (tag, text, cls) => { const node = document.createElement(tag); if (text !== undefined) node.textContent = text; if (cls) node.className = cls; return node; };
  const tip = document.getElementById("tip");

  function block(strip, start, end, cls, details) {
    const lo = Math.max(start, view.lo), hi = Math.min(end + 1, view.hi);
    if (hi <= lo) return;
    const width = view.hi - view.lo;
    const node = el("div", undefined, "block " + cls);
    node.style.left = ((lo - view.lo) / width * 100) + "%";
    node.style.width = ((hi - lo) / width * 100) + "%";
    node.dataset.port = start === end ? String(start) : start + "-" + end;
    node.addEventListener("mousemove", (event) => {
      tip.textContent = details; tip.style.display = "block";
      tip.style.left = (event.clientX + 12) + "px"; tip.style.top = (event.clientY + 12) + "px";
    });
    node.addEventListener("mouseleave", () => { tip.style.display = "none"; });
    strip.appendChild(node);
  }

  function drawMap() {
    const map = document.getElementById("map");
    map.replaceChildren();
    document.getElementById("window").textContent = view.lo + "-" + (view.hi - 1);
    for (const protocol of data.protocols) {
      map.appendChild(el("div", protocol));
      const strip = el("div", undefined, "strip");
      strip.dataset.protocol = protocol;
      for (const closed of data.closed[protocol] || []) {
        const [a, b] = span(closed);
        block(strip, a, b, "closed", closed + " outside the policy's allocatable ranges");
      }
      for (const r of data.reserved) {
        if (!r.protocol.includes(protocol)) continue;
        const [a, b] = span(r.port);
        block(strip, a, b, "reserved", r.port + " reserved: " + r.reason);
      }
      for (const item of data.allocations) {
        if (!item.protocol.includes(protocol) || !inScope(item)) continue;
        const [a, b] = span(item.port);
        const cls = item.status === "retired" ? "quarantined" : "allocated";
        block(strip, a, b, cls, [item.id, protocol + "/" + item.port, item.owner, item.status, item.scope.join(", "), item.description].join("\n"));
      }
      strip.addEventListener("click", (event) => {
        const box = strip.getBoundingClientRect();
        const at = view.lo + (event.clientX - box.left) / box.width * (view.hi - view.lo);
        const width = Math.max(64, Math.floor((view.hi - view.lo) / 8));
        view.lo = Math.max(0, Math.floor(at - width / 2)); view.hi = Math.min(MAX, view.lo + width);
        drawMap();
      });
      map.appendChild(strip);
      const axis = el("div", undefined, "axis");
      for (let i = 0; i <= 4; i++) axis.appendChild(el("span", String(Math.round(view.lo + (view.hi - 1 - view.lo) * i / 4))));
      map.appendChild(axis);
    }
  }

  function cellText(item, key) {
    const value = item[key];
    return Array.isArray(value) ? value.join(", ") : value === null ? "" : String(value);
  }

  function drawTable() {
    const query = document.getElementById("search").value.trim().toLowerCase();
    const rows = data.allocations.filter((item) => inScope(item) &&
      (!query || columns.some((key) => cellText(item, key).toLowerCase().includes(query))));
    const key = view.sortKey;
    rows.sort((a, b) => {
      const x = key === "port" ? span(a.port)[0] : cellText(a, key);
      const y = key === "port" ? span(b.port)[0] : cellText(b, key);
      return (x < y ? -1 : x > y ? 1 : 0) * (view.sortUp ? 1 : -1);
    });
    const body = document.querySelector("#allocations tbody");
    body.replaceChildren();
    for (const item of rows) {
      const row = el("tr");
      for (const column of columns) row.appendChild(el("td", cellText(item, column)));
      body.appendChild(row);
    }
    document.getElementById("count").textContent = rows.length + " of " + data.allocations.length;
  }

  const head = document.querySelector("#allocations thead tr");
  for (const column of columns) {
    const th = el("th", column);
    th.addEventListener("click", () => {
      view.sortUp = view.sortKey === column ? !view.sortUp : true; view.sortKey = column; drawTable();
    });
    head.appendChild(th);
  }
  const select = document.getElementById("scope");
  for (const scope of data.scopes) select.appendChild(el("option", scope));
  select.addEventListener("change", () => { view.scope = select.value; drawMap(); drawTable(); });
  document.getElementById("search").addEventListener("input", drawTable);
  document.getElementById("reset").addEventListener("click", () => { view.lo = 0; view.hi = MAX; drawMap(); });
  document.getElementById("zoomout").addEventListener("click", () => {
    const width = Math.min(MAX, (view.hi - view.lo) * 8), middle = (view.lo + view.hi) / 2;
    view.lo = Math.max(0, Math.floor(middle - width / 2)); view.hi = Math.min(MAX, view.lo + width); drawMap();
  });
  // A link may carry a search (page.html#q=payments) and a view (#q=&from=8000&to=8100).
  const params = new URLSearchParams(location.hash.slice(1));
  if (params.has("q")) document.getElementById("search").value = params.get("q");
  if (params.has("from")) view.lo = Math.max(0, Number(params.get("from")) || 0);
  if (params.has("to")) view.hi = Math.min(MAX, (Number(params.get("to")) || MAX - 1) + 1);
  if (view.hi <= view.lo) { view.lo = 0; view.hi = MAX; }
  drawMap();
  drawTable();
})();
