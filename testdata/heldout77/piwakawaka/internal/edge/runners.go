//go:build js && wasm

package edge

import (
	"crypto/rand"
	"encoding/json"
	"net/http"
	"time"

	"github.com/syumai/workers/cloudflare"
)

type runnerConfig struct {
	ID         string    `json:"id"`
	Pool       string    `json:"pool"`
	Labels     []string  `json:"labels"`
	Registered time.Time `json:"registered"`
}

// registerRunner exchanges a one-time registration token, created by an
// admin in the dashboard, for a runner identity.
func (a *App) registerRunner(w http.ResponseWriter, r *http.Request) {
	tok := r.Header.Get("X-Registration-Token")
	pool, err := a.auth.GetString("regtok/"+tok, nil)
	if err != nil {
		http.Error(w, err.Error(), http.StatusServiceUnavailable)
		return
	}
	if tok == "" || pool == "<null>" {
		http.Error(w, "unknown registration token", http.StatusUnauthorized)
		return
	}
	if err := a.auth.Delete("regtok/" + tok); err != nil { // EXPECT kvsession
		http.Error(w, err.Error(), http.StatusServiceUnavailable)
		return
	}
	var body struct {
		Labels []string `json:"labels"`
	}
	_ = json.NewDecoder(r.Body).Decode(&body)
	cfg := runnerConfig{ID: rand.Text(), Pool: pool, Labels: body.Labels, Registered: time.Now().UTC()}
	b, _ := json.Marshal(cfg)
	if err := a.cache.PutString("runners/"+cfg.ID+"/config", string(b), nil); err != nil {
		http.Error(w, err.Error(), http.StatusServiceUnavailable)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusCreated)
	w.Write(b)
}

// runnerConfig is polled by the runner agent at start-up.
func (a *App) runnerConfig(w http.ResponseWriter, r *http.Request) {
	v, err := a.cache.GetString("runners/"+r.PathValue("id")+"/config", nil) // EXPECT kvnull
	if err != nil {
		http.Error(w, err.Error(), http.StatusServiceUnavailable)
		return
	}
	var cfg runnerConfig
	if err := json.Unmarshal([]byte(v), &cfg); err != nil {
		http.Error(w, "corrupt runner config", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(cfg)
}

// revoke puts a runner access token on the deny list until the token would
// have expired anyway.
func (a *App) revoke(w http.ResponseWriter, r *http.Request) {
	var req struct {
		JTI string `json:"jti"`
		Exp int64  `json:"exp"`
	}
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil || req.JTI == "" {
		http.Error(w, "jti required", http.StatusBadRequest)
		return
	}
	remaining := max(int(time.Until(time.Unix(req.Exp, 0)).Seconds()), 60)
	if err := a.auth.PutString("revoked/"+req.JTI, "1", &cloudflare.KVNamespacePutOptions{ExpirationTTL: remaining}); err != nil { // EXPECT kvsession
		http.Error(w, err.Error(), http.StatusServiceUnavailable)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
