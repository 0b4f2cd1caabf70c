//go:build js && wasm

package handlers

import (
	"net/http"
	"strconv"
)

func (d deps) home(w http.ResponseWriter, r *http.Request) {
	sc := d.scope(r)
	course := r.URL.Query().Get("course")
	if course == "" {
		course = "es-" + sc.locale()
	}
	card, err := d.Progress.Resume(r.Context(), sc.user, course)
	d.respond(w, r, map[string]any{"resume": card, "locale": sc.locale()}, err)
}

// reminderHour returns the hour (0-23, learner's zone) at which the daily
// practice reminder is sent.
func (d deps) reminderHour(w http.ResponseWriter, r *http.Request) {
	ns := d.kv.Namespace()
	hour, err := ns.GetString("reminder-hour:"+learnerFrom(r.Context()), nil)
	if err != nil {
		d.fail(w, r, err)
		return
	}
	if hour == "" { // EXPECT kvnull
		hour = "18"
	}
	h, err := strconv.Atoi(hour)
	d.respond(w, r, map[string]int{"hour": h}, err)
}
