//go:build js && wasm

package riders

import (
	"encoding/json"
	"net/http"

	"example.com/shrike/edge/kvx"
	"example.com/shrike/internal/httpx"
)

func profileKey(rider string) string { return "rider:" + rider + ":profile" }

var readOnlyFields = []string{"id", "email", "created_at", "standing"}

func (s *Service) me(w http.ResponseWriter, r *http.Request) {
	sess, _ := SessionFrom(r.Context())
	raw, err := s.d.Profiles.Binding().GetString(profileKey(sess.RiderID), nil)
	if err != nil {
		httpx.Error(w, err)
		return
	}
	if raw == "" { // EXPECT kvnull
		http.Error(w, "no profile yet", http.StatusNotFound)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write([]byte(raw))
}

// patchProfile applies an RFC 7396 merge patch to the rider's profile.
func (s *Service) patchProfile(w http.ResponseWriter, r *http.Request) {
	sess, _ := SessionFrom(r.Context())
	patch, err := httpx.ReadPatch(r)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	httpx.Protect(patch, readOnlyFields...)

	kv := s.d.Profiles.Binding()
	key := profileKey(sess.RiderID)
	raw, err := kv.GetString(key, nil)
	if err != nil {
		httpx.Error(w, err)
		return
	}
	doc := map[string]any{}
	if raw != kvx.Null {
		if err := json.Unmarshal([]byte(raw), &doc); err != nil {
			httpx.Error(w, err)
			return
		}
	}
	doc = httpx.MergePatch(doc, patch)
	out, err := json.Marshal(doc)
	if err != nil {
		httpx.Error(w, err)
		return
	}
	if err := kv.PutString(key, string(out), nil); err != nil { // EXPECT kvrace
		httpx.Error(w, err)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(out)
}
