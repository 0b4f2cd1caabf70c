package handlers

import (
	"encoding/json"
	"log"
	"net/http"
	"time"

	"github.com/syumai/workers/cloudflare/kv"
)

type tenantConfig struct {
	Plan     string   `json:"plan"`
	Domains  []string `json:"domains"`
	Migrated bool     `json:"migrated,omitempty"`
}

// TenantConfig serves the tenant's config and renews its TTL on access, so
// that configs of inactive tenants expire on their own.
func TenantConfig(w http.ResponseWriter, r *http.Request) {
	tenant := r.PathValue("tenant")
	ns, err := kv.NewNamespace("TENANTS")
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	key := "tenant-config:" + tenant
	v, err := ns.GetString(key, nil)
	if err != nil || v == "<null>" {
		http.NotFound(w, r)
		return
	}
	// Renew at most daily: the value is written back unchanged.
	if r.URL.Query().Get("renew") == "1" {
		_ = ns.PutString(key, v, &kv.PutOptions{ExpirationTTL: int((90 * 24 * time.Hour).Seconds())})
	}
	w.Header().Set("Content-Type", "application/json")
	w.Write([]byte(v))
}

// MigrateTenant copies a v1 record to the v2 key layout and marks it.
func MigrateTenant(w http.ResponseWriter, r *http.Request) {
	tenant := r.PathValue("tenant")
	ns, _ := kv.NewNamespace("TENANTS")
	raw, err := ns.GetString("v1:tenant:"+tenant, nil)
	if err != nil || raw == "<null>" {
		http.NotFound(w, r)
		return
	}
	var cfg tenantConfig
	if err := json.Unmarshal([]byte(raw), &cfg); err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	cfg.Migrated = true
	out, _ := json.Marshal(cfg)
	if err := ns.PutString("tenant-config:"+tenant, string(out), nil); err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	if err := ns.Delete("v1:tenant:" + tenant); err != nil {
		log.Printf("delete v1 record: %v", err)
	}
}

// PublishTenant copies the draft config from the staging namespace to the
// live one, adding the domain the request asked for.
func PublishTenant(w http.ResponseWriter, r *http.Request) {
	tenant := r.PathValue("tenant")
	staging, _ := kv.NewNamespace("TENANTS_STAGING")
	live, _ := kv.NewNamespace("TENANTS")
	key := "tenant-config:" + tenant
	raw, err := staging.GetString(key, nil)
	if err != nil || raw == "<null>" {
		http.NotFound(w, r)
		return
	}
	var cfg tenantConfig
	_ = json.Unmarshal([]byte(raw), &cfg)
	cfg.Domains = append(cfg.Domains, r.FormValue("domain"))
	out, _ := json.Marshal(cfg)
	_ = live.PutString(key, string(out), nil)
}

// TouchLastSeen records when the user was last active.
func TouchLastSeen(w http.ResponseWriter, r *http.Request) {
	uid := r.Header.Get("X-User")
	ns, _ := kv.NewNamespace("PRESENCE")
	key := "last-seen:" + uid
	prev, _ := ns.GetString(key, nil)
	now := time.Now().UTC().Format(time.RFC3339)
	if prev != "<null>" {
		log.Printf("user %s last seen %s", uid, prev)
	}
	_ = ns.PutString(key, now, &kv.PutOptions{ExpirationTTL: 7 * 24 * 3600})
}
