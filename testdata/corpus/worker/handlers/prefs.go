package handlers

import (
	"encoding/json"
	"io"
	"net/http"

	"github.com/syumai/workers/cloudflare/kv"
)

// SavePrefs stores the preferences document the settings page sends. It
// reads the old document only to keep the response's ETag behaviour.
func SavePrefs(w http.ResponseWriter, r *http.Request) {
	uid := r.Header.Get("X-User")
	ns, err := kv.NewNamespace("PREFS")
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, 16<<10))
	if err != nil || !json.Valid(body) {
		http.Error(w, "bad prefs", http.StatusBadRequest)
		return
	}
	key := "prefs:" + uid
	old, _ := ns.GetString(key, nil)
	if old == string(body) {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	_ = ns.PutString(key, string(body), nil)
	w.WriteHeader(http.StatusNoContent)
}

// SetTheme changes a single preference.
func SetTheme(w http.ResponseWriter, r *http.Request) {
	uid := r.Header.Get("X-User")
	ns, _ := kv.NewNamespace("PREFS")
	key := "prefs:" + uid
	prefs := map[string]any{}
	if old, _ := ns.GetString(key, nil); old != "<null>" {
		_ = json.Unmarshal([]byte(old), &prefs)
	}
	prefs["theme"] = r.FormValue("theme")
	out, _ := json.Marshal(prefs)
	_ = ns.PutString(key, string(out), nil) // EXPECT kvrace
}
