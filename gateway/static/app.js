// The FVI web page: send the chosen photo to POST /v1/ocr?annotate=true and show what came back.
// Every value is written with textContent: nothing read from a card is ever parsed as HTML.
"use strict";

const $ = (id) => document.getElementById(id);

function setStatus(text, isError) {
  $("status").textContent = text;
  $("status").className = isError ? "error" : "";
}

function cell(row, text, className) {
  const td = row.insertCell();
  td.textContent = text;
  if (className) td.className = className;
  return td;
}

function confidenceCell(row, confidence) {
  const td = cell(row, confidence.toFixed(2), "confidence");
  td.style.setProperty("--level", String(Math.round(confidence * 100)));
  if (confidence < 0.8) td.classList.add("doubtful");
}

function showResult(doc) {
  $("annotated").src = "data:image/png;base64," + doc.annotated_image;
  $("card").textContent = `${doc.card_type} / ${doc.side} (${doc.card_confidence.toFixed(2)})`;
  const body = $("fields").tBodies[0];
  body.replaceChildren();
  for (const [key, field] of Object.entries(doc.fields)) {
    const row = body.insertRow();
    row.dataset.field = key;
    cell(row, key, "key");
    cell(row, field.text === null ? "(unreadable)" : field.text, "text");
    const value = field.value === undefined || field.value === null ? ""
      : typeof field.value === "string" ? field.value : JSON.stringify(field.value);
    cell(row, value, value.length > 24 ? "value long" : "value");
    confidenceCell(row, field.confidence);
  }
  const checks = $("checks");
  checks.replaceChildren();
  for (const check of doc.checks) {
    const li = document.createElement("li");
    li.className = check.status;
    li.textContent = `${check.status}: ${check.name}` + (check.detail ? ` (${check.detail})` : "");
    checks.appendChild(li);
  }
  const t = doc.timing_ms;
  $("timing").textContent = `${t.total} ms (Triton ${t.triton} ms); models ` +
    Object.entries(doc.models).map(([m, v]) => `${m} v${v}`).join(", ");
  $("result").hidden = false;
}

async function read(file) {
  setStatus(`Reading ${file.name}…`);
  $("result").hidden = true;
  const form = new FormData();
  form.append("image", file);
  const headers = {};
  const key = $("api-key").value.trim();
  if (key) headers["X-API-Key"] = key;
  try {
    const response = await fetch("/v1/ocr?annotate=true", { method: "POST", body: form, headers });
    const doc = await response.json();
    if (!response.ok) {
      setStatus(`${response.status} ${doc.error.code}: ${doc.error.message}`, true);
      return;
    }
    showResult(doc);
    setStatus(`Read ${file.name}.`);
  } catch (err) {
    setStatus(`The gateway could not be reached: ${err}`, true);
  }
}

$("file").addEventListener("change", (e) => {
  if (e.target.files.length) read(e.target.files[0]);
});

const drop = $("drop");
for (const name of ["dragenter", "dragover"]) {
  drop.addEventListener(name, (e) => { e.preventDefault(); drop.classList.add("over"); });
}
for (const name of ["dragleave", "drop"]) {
  drop.addEventListener(name, (e) => { e.preventDefault(); drop.classList.remove("over"); });
}
drop.addEventListener("drop", (e) => {
  if (e.dataTransfer.files.length) read(e.dataTransfer.files[0]);
});
