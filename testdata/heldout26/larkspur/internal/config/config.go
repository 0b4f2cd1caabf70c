// Package config reads the settings of the edge worker and the backend from
// the environment. Durations are configured as whole seconds, matching the
// units of the KV API, and converted where they are used.
package config

import (
	"errors"
	"strconv"
	"strings"
)

// Edge is the configuration of the Worker.
type Edge struct {
	KeyPrefix, KVBinding, PagesBinding string
	PublicBaseURL, BackendURL          string
	AdminToken                         string
	MailEndpoint, MailAPIKey           string
	ConfirmTTLSeconds                  int
	SessionTTLSeconds                  int
	SignupsPerMinute                   int
}

// Backend is the configuration of the API server and its jobs.
type Backend struct {
	Addr, KeyPrefix                           string
	AccountID, NamespaceID, AuditNamespaceID  string
	WebhookSecret                             string
	LockSeconds, ExportPageSize, SweepSeconds int
}

// parser collects the names of missing or malformed variables.
type parser struct {
	get  func(string) string
	errs []string
}

func (p *parser) str(name, fallback string) string {
	if v := strings.TrimSpace(p.get(name)); v != "" {
		return v
	}
	if fallback == "" {
		p.errs = append(p.errs, name+" is required")
	}
	return fallback
}

// int reads a whole number and clamps it to [lo, hi].
func (p *parser) int(name string, fallback, lo, hi int) int {
	raw := strings.TrimSpace(p.get(name))
	if raw == "" {
		return fallback
	}
	n, err := strconv.Atoi(raw)
	if err != nil {
		p.errs = append(p.errs, name+" must be a whole number")
		return fallback
	}
	return min(max(n, lo), hi)
}

func (p *parser) err() error {
	if len(p.errs) == 0 {
		return nil
	}
	return errors.New("config: " + strings.Join(p.errs, "; "))
}

// LoadEdge reads the Worker's configuration; cloudflare.Getenv fits get.
func LoadEdge(get func(string) string) (Edge, error) {
	p := &parser{get: get}
	cfg := Edge{
		KeyPrefix:         p.str("KEY_PREFIX", "prod"),
		KVBinding:         p.str("KV_BINDING", "NEWSLETTER"),
		PagesBinding:      p.str("PAGES_BINDING", "PAGES"),
		PublicBaseURL:     p.str("PUBLIC_BASE_URL", ""),
		BackendURL:        p.str("BACKEND_URL", ""),
		AdminToken:        p.str("ADMIN_TOKEN", ""),
		MailEndpoint:      p.str("MAIL_ENDPOINT", ""),
		MailAPIKey:        p.str("MAIL_API_KEY", ""),
		ConfirmTTLSeconds: p.int("CONFIRM_TTL_SECONDS", 48*3600, 60, 14*24*3600),
		SessionTTLSeconds: p.int("SESSION_TTL_SECONDS", 12*3600, 300, 30*24*3600),
		SignupsPerMinute:  p.int("SIGNUPS_PER_MINUTE", 5, 1, 120),
	}
	return cfg, p.err()
}

// LoadBackend reads the backend's configuration; os.Getenv fits get.
func LoadBackend(get func(string) string) (Backend, error) {
	p := &parser{get: get}
	cfg := Backend{
		Addr:           p.str("ADDR", ":8080"),
		KeyPrefix:      p.str("KEY_PREFIX", "prod"),
		AccountID:      p.str("CF_ACCOUNT_ID", ""),
		NamespaceID:    p.str("CF_KV_NAMESPACE_ID", ""),
		WebhookSecret:  p.str("WEBHOOK_SECRET", ""),
		LockSeconds:    p.int("LOCK_SECONDS", 300, 60, 3600),
		ExportPageSize: p.int("EXPORT_PAGE_SIZE", 1000, 10, 1000),
		SweepSeconds:   p.int("SWEEP_SECONDS", 900, 60, 86400),
	}
	cfg.AuditNamespaceID = strings.TrimSpace(get("CF_KV_AUDIT_NAMESPACE_ID"))
	if cfg.AuditNamespaceID == "" {
		cfg.AuditNamespaceID = cfg.NamespaceID
	}
	return cfg, p.err()
}
