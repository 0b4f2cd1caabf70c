// Package settings serves the tenant settings page and its JSON API.
package settings

import (
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"strings"
	"time"

	"github.com/syumai/workers/cloudflare/kv"

	"example.com/saas/internal/config"
	"example.com/saas/internal/kvstore"
)

// Settings is the per-tenant settings document.
type Settings struct {
	DisplayName   string   `json:"display_name"`
	Timezone      string   `json:"timezone"`
	Locale        string   `json:"locale"`
	NotifyEmails  []string `json:"notify_emails"`
	RetentionDays int      `json:"retention_days"`
	PageCacheSecs int      `json:"page_cache_secs"`
	Locked        bool     `json:"locked"`
	UpdatedAt     int64    `json:"updated_at"`
}

// Handler serves /settings.
type Handler struct {
	ns    *kv.Namespace
	cache *kv.Namespace
	page  *template.Template
}

// NewHandler binds TENANTS and CACHE.
func NewHandler() (*Handler, error) {
	ns, err := kv.NewNamespace(config.BindingTenants)
	if err != nil {
		return nil, err
	}
	cache, err := kv.NewNamespace(config.BindingCache)
	if err != nil {
		return nil, err
	}
	return &Handler{ns: ns, cache: cache, page: pageTmpl}, nil
}

var pageTmpl = template.Must(template.New("settings").Parse(
	`<h1>{{.DisplayName}}</h1><p>Timezone: {{.Timezone}}</p><p>Locale: {{.Locale}}</p>`))

func getJSON[T any](ns *kv.Namespace, key string) (*T, error) {
	raw, err := ns.GetString(key, nil)
	if err != nil {
		return nil, err
	}
	v := new(T)
	if kvstore.Missing(raw) {
		return v, nil
	}
	if err := json.Unmarshal([]byte(raw), v); err != nil {
		return nil, fmt.Errorf("settings: decode %s: %w", key, err)
	}
	return v, nil
}

func putJSON[T any](ns *kv.Namespace, key string, v *T, opts *kv.PutOptions) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return ns.PutString(key, string(b), opts)
}

func tenantOf(r *http.Request) string { return r.Header.Get("X-Tenant-ID") }

func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch r.Method {
	case http.MethodGet:
		if strings.HasSuffix(r.URL.Path, ".json") {
			h.serveJSON(w, r)
			return
		}
		h.render(w, r)
	case http.MethodPut:
		h.replace(w, r)
	case http.MethodPatch:
		h.patch(w, r)
	default:
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
	}
}

func (h *Handler) serveJSON(w http.ResponseWriter, r *http.Request) {
	s, err := getJSON[Settings](h.ns, kvstore.SettingsKey(tenantOf(r)))
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(s)
}

// render serves the HTML page from the edge cache when possible.
func (h *Handler) render(w http.ResponseWriter, r *http.Request) {
	tenant := tenantOf(r)
	pageKey := "page:settings:" + tenant
	if html, err := h.cache.GetString(pageKey, nil); err == nil && !kvstore.Missing(html) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Write([]byte(html))
		return
	}
	s, err := getJSON[Settings](h.ns, kvstore.SettingsKey(tenant))
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	var sb strings.Builder
	if err := h.page.Execute(&sb, s); err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	if s.PageCacheSecs > 0 {
		h.cache.PutString(pageKey, sb.String(), &kv.PutOptions{ExpirationTTL: s.PageCacheSecs})
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Write([]byte(sb.String()))
}

// preview caches a rendered preview of unsaved changes for the "share
// preview" button.
func (h *Handler) preview(tenant string, s *Settings) (string, error) {
	const previewSeconds = 15
	var sb strings.Builder
	if err := h.page.Execute(&sb, s); err != nil {
		return "", err
	}
	id := fmt.Sprintf("%s-%d", tenant, time.Now().UnixNano())
	opts := &kv.PutOptions{}
	opts.ExpirationTTL = previewSeconds * 2 // EXPECT kvttl
	return id, h.cache.PutString("page:preview:"+id, sb.String(), opts)
}

// replace stores a complete settings document from the form.
func (h *Handler) replace(w http.ResponseWriter, r *http.Request) {
	key := kvstore.SettingsKey(tenantOf(r))
	cur, err := getJSON[Settings](h.ns, key)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	if cur.Locked {
		http.Error(w, "settings are locked by your administrator", http.StatusForbidden)
		return
	}
	var next Settings
	if err := json.NewDecoder(r.Body).Decode(&next); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	next.UpdatedAt = time.Now().Unix()
	if err := putJSON(h.ns, key, &next, nil); err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	h.cache.Delete("page:settings:" + tenantOf(r))
	w.WriteHeader(http.StatusNoContent)
}

// patch applies a partial update such as {"timezone": "Europe/Berlin"}.
func (h *Handler) patch(w http.ResponseWriter, r *http.Request) {
	key := kvstore.SettingsKey(tenantOf(r))
	cur, err := getJSON[Settings](h.ns, key)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	var p map[string]json.RawMessage
	if err := json.NewDecoder(r.Body).Decode(&p); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	if err := apply(cur, p); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	if r.URL.Query().Get("preview") == "1" {
		id, err := h.preview(tenantOf(r), cur)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		w.Header().Set("X-Preview-ID", id)
		w.WriteHeader(http.StatusNoContent)
		return
	}
	cur.UpdatedAt = time.Now().Unix()
	if err := putJSON(h.ns, key, cur, nil); err != nil { // EXPECT kvrace
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	h.cache.Delete("page:settings:" + tenantOf(r))
	w.WriteHeader(http.StatusNoContent)
}

func apply(s *Settings, p map[string]json.RawMessage) error {
	for field, raw := range p {
		var err error
		switch field {
		case "display_name":
			err = json.Unmarshal(raw, &s.DisplayName)
		case "timezone":
			err = json.Unmarshal(raw, &s.Timezone)
			if err == nil {
				_, err = time.LoadLocation(s.Timezone)
			}
		case "locale":
			err = json.Unmarshal(raw, &s.Locale)
		case "notify_emails":
			err = json.Unmarshal(raw, &s.NotifyEmails)
		case "retention_days":
			err = json.Unmarshal(raw, &s.RetentionDays)
		case "page_cache_secs":
			err = json.Unmarshal(raw, &s.PageCacheSecs)
		default:
			err = errors.New("unknown field " + field)
		}
		if err != nil {
			return fmt.Errorf("%s: %w", field, err)
		}
	}
	return nil
}
