// The booking page's own script: free times in the visitor's zone and booking through the
// JSON API (/api/v1/...), the same API practices embed on their own sites. Without this
// script the page still works with plain forms.
(function () {
  "use strict";

  const picker = document.getElementById("slot-picker");
  if (!picker) return;
  const zoneSelect = document.querySelector("[data-zone-select]");
  const zoneInput = document.querySelector("[data-zone-input]");
  const zoneLabel = picker.querySelector("[data-zone-label]");
  const daysBox = picker.querySelector("[data-slot-days]");
  const bookingForm = document.querySelector("[data-booking-form]");
  document.querySelectorAll("[data-no-js]").forEach((el) => (el.hidden = true));

  let weekStart = (document.querySelector("[data-zone-form] input[name=week]") || {}).value;

  function addDays(isoDate, days) {
    const d = new Date(isoDate + "T00:00:00Z");
    d.setUTCDate(d.getUTCDate() + days);
    return d.toISOString().slice(0, 10);
  }

  function dayHeading(isoDate) {
    const d = new Date(isoDate + "T12:00:00Z");
    return d.toLocaleDateString(undefined, { weekday: "long", day: "numeric", month: "long", timeZone: "UTC" });
  }

  function render(slots) {
    const byDay = new Map();
    for (const slot of slots) {
      const day = slot.slice(0, 10);
      if (!byDay.has(day)) byDay.set(day, []);
      byDay.get(day).push(slot);
    }
    daysBox.replaceChildren();
    if (byDay.size === 0) {
      const p = document.createElement("p");
      p.className = "muted";
      p.textContent = "No free times this week. Try later weeks.";
      daysBox.append(p);
      return;
    }
    for (const [day, times] of byDay) {
      const wrap = document.createElement("div");
      wrap.className = "slot-day";
      wrap.setAttribute("role", "group");
      wrap.setAttribute("aria-labelledby", "day-" + day);
      const h = document.createElement("h3");
      h.id = "day-" + day;
      h.textContent = dayHeading(day);
      const list = document.createElement("div");
      list.className = "slot-day__times";
      for (const time of times) {
        const label = document.createElement("label");
        label.className = "slot";
        const input = document.createElement("input");
        input.type = "radio";
        input.name = "start";
        input.value = time;
        input.required = true;
        const day_name = document.createElement("span");
        day_name.className = "visually-hidden";
        day_name.textContent = " on " + h.textContent;
        label.append(input, " " + time.slice(11, 16), day_name);
        list.append(label);
      }
      wrap.append(h, list);
      daysBox.append(wrap);
    }
  }

  async function loadSlots() {
    const zone = zoneSelect.value;
    const end = addDays(weekStart, 6);
    const url = picker.dataset.slotsUrl + "?start=" + weekStart + "&end=" + end + "&tz=" + encodeURIComponent(zone);
    daysBox.setAttribute("aria-busy", "true");
    try {
      const response = await fetch(url, { headers: { Accept: "application/json" } });
      if (!response.ok) throw new Error("HTTP " + response.status);
      const body = await response.json();
      render(body.slots);
    } catch (error) {
      daysBox.textContent = "Free times could not be loaded. Please reload the page.";
    } finally {
      daysBox.removeAttribute("aria-busy");
    }
  }

  function setZone(zone) {
    zoneSelect.value = zone;
    if (zoneInput) zoneInput.value = zone;
    if (zoneLabel) zoneLabel.textContent = zone;
    // Earlier/later weeks are page loads: carry the zone along.
    picker.querySelectorAll("[data-week]").forEach((link) => {
      const url = new URL(link.href);
      url.searchParams.set("tz", zone);
      link.href = url.toString();
    });
  }

  zoneSelect.addEventListener("change", () => {
    setZone(zoneSelect.value);
    loadSlots();
  });

  // First visit: show times in the browser's own zone unless the visitor chose one.
  const browserZone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  const params = new URLSearchParams(window.location.search);
  if (!params.has("tz") && browserZone && browserZone !== zoneSelect.value &&
      [...zoneSelect.options].some((o) => o.value === browserZone)) {
    setZone(browserZone);
    loadSlots();
  }

  if (!bookingForm) return;

  function showErrors(errors) {
    bookingForm.querySelectorAll("[data-error-for]").forEach((el) => {
      el.hidden = true;
      el.textContent = "";
    });
    bookingForm.querySelectorAll("[aria-invalid]").forEach((el) => el.removeAttribute("aria-invalid"));
    const general = bookingForm.querySelector("[data-form-errors]");
    general.hidden = true;
    general.textContent = "";
    let first = null;
    for (const [field, messages] of Object.entries(errors)) {
      const target = bookingForm.querySelector('[data-error-for="' + field + '"]') || general;
      target.textContent = messages.join(" ");
      target.hidden = false;
      const input = bookingForm.querySelector('[name="' + field + '"]');
      if (input && target !== general) {
        target.id = target.id || "error-" + field;
        input.setAttribute("aria-invalid", "true");
        input.setAttribute("aria-describedby", target.id);
      }
      first = first || (input && input.type !== "radio" ? input : target);
    }
    if (first) {
      if (!first.matches("input, textarea, select")) first.tabIndex = -1;
      first.focus();
      first.scrollIntoView({ block: "center" });
    }
  }

  bookingForm.addEventListener("submit", async (event) => {
    event.preventDefault();
    const data = new FormData(bookingForm);
    const submit = bookingForm.querySelector("[data-submit]");
    submit.disabled = true; // one booking per click, even on a double click
    const payload = {
      coach: Number(bookingForm.dataset.coach),
      start: data.get("start") || "",
      name: data.get("name") || "",
      email: data.get("email") || "",
      objectives: data.get("objectives") || "",
      hopes: data.get("hopes") || "",
      tz: zoneSelect.value,
    };
    try {
      const response = await fetch(bookingForm.dataset.api, {
        method: "POST",
        headers: { "Content-Type": "application/json", Accept: "application/json" },
        body: JSON.stringify(payload),
      });
      const body = await response.json().catch(() => ({}));
      if (response.status === 201) {
        const coach = document.querySelector("h1").textContent.trim();
        const when = new Date(body.start).toLocaleString(undefined, {
          weekday: "long", day: "numeric", month: "long", year: "numeric", hour: "2-digit", minute: "2-digit",
          timeZone: body.tz,
        });
        const done = document.createElement("div");
        done.className = "message message--success";
        done.setAttribute("role", "status");
        done.tabIndex = -1;
        const heading = document.createElement("h3");
        heading.textContent = "Your chemistry call is booked";
        const p = document.createElement("p");
        p.textContent = "With " + coach + " on " + when + " (" + body.tz + "). We have emailed the confirmation, " +
          "a calendar invitation and links to reschedule or cancel to " + payload.email + ".";
        const more = document.createElement("p");
        const link = document.createElement("a");
        link.href = "/coaches/";
        link.textContent = "Meet another coach";
        more.append(link);
        done.append(heading, p, more);
        document.querySelectorAll("[data-zone-form]").forEach((el) => (el.hidden = true));
        bookingForm.replaceWith(done);
        done.focus();
        done.scrollIntoView({ block: "center" });
        return;
      }
      if (response.status === 429) {
        showErrors({ __all__: ["Too many bookings from here just now. Please try again a little later."] });
      } else if (body.errors) {
        showErrors(body.errors);
        if (response.status === 409) loadSlots();
      } else {
        showErrors({ __all__: ["Something went wrong. Please try again."] });
      }
    } catch (error) {
      showErrors({ __all__: ["We could not reach the server. Check your connection and try again."] });
    } finally {
      submit.disabled = false;
    }
  });
})();
