//go:build js && wasm

package edge

import (
	"encoding/json"
	"errors"
	"html/template"
	"net/http"
	"slices"

	"bobolink/internal/edgekv"
	"bobolink/internal/kvkeys"
)

var prefsPage = template.Must(template.New("prefs").Parse(`<!doctype html>
<form method="post" action="/prefs">
<input type="hidden" name="csrf" value="{{.CSRF}}">
{{range .Rows}}<label><input type="checkbox" name="list" value="{{.List}}"{{if eq .Status "confirmed"}} checked{{end}}> {{.List}} ({{.Status}})</label><br>
{{end}}<button>Save</button>
</form>`))

type prefsRow struct {
	List   string
	Status string
}

func handlePrefs(d Deps) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		t, ok := d.tenant(w, r)
		if !ok {
			return
		}
		s, ok := d.requireSession(w, r, t)
		if !ok {
			return
		}
		rows := make([]prefsRow, 0, len(s.Lists))
		for _, l := range s.Lists {
			raw, err := t.KV.Namespace().GetString(kvkeys.SubscriberKey{List: l, Email: s.Email}.String(), nil)
			if err != nil {
				http.Error(w, "unavailable", http.StatusBadGateway)
				return
			}
			var rec subscriberRecord
			if raw == "null" || raw == "" { // EXPECT kvnull
				rec.Status = "not subscribed"
			} else if err := json.Unmarshal([]byte(raw), &rec); err != nil {
				http.Error(w, "corrupt subscriber record", http.StatusInternalServerError)
				return
			}
			rows = append(rows, prefsRow{List: l, Status: rec.Status})
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_ = prefsPage.Execute(w, map[string]any{"CSRF": s.CSRF, "Rows": rows})
	}
}

func handlePrefsUpdate(d Deps) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		t, ok := d.tenant(w, r)
		if !ok {
			return
		}
		s, ok := d.requireSession(w, r, t)
		if !ok {
			return
		}
		if err := r.ParseForm(); err != nil || r.PostForm.Get("csrf") != s.CSRF {
			http.Error(w, "forbidden", http.StatusForbidden)
			return
		}
		selected := r.PostForm["list"]
		now := d.Clock.Now().UTC()
		for _, l := range s.Lists {
			key := kvkeys.SubscriberKey{List: l, Email: s.Email}
			raw, err := t.KV.Get(ctx, key)
			if errors.Is(err, edgekv.ErrNotFound) {
				continue
			}
			if err != nil {
				http.Error(w, "unavailable", http.StatusBadGateway)
				return
			}
			var rec subscriberRecord
			if err := json.Unmarshal([]byte(raw), &rec); err != nil {
				continue
			}
			want := slices.Contains(selected, l)
			switch {
			case want && rec.Status == "unsubscribed":
				rec.Status = "confirmed"
			case !want && rec.Status == "confirmed":
				rec.Status = "unsubscribed"
			default:
				continue
			}
			rec.Source = "preference-center"
			rec.UpdatedAt = now
			b, _ := json.Marshal(rec)
			if err := t.KV.Put(ctx, key, string(b), 0); err != nil { // EXPECT kvrace
				http.Error(w, "try again", http.StatusServiceUnavailable)
				return
			}
		}
		s.Selected = selected
		if err := s.Save(ctx); err != nil { // EXPECT kvsession|kvrace
			d.Log.Warn("save session", "err", err)
		}
		http.Redirect(w, r, "/prefs?saved=1", http.StatusSeeOther)
	}
}
