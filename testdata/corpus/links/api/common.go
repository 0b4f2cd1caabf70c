// Package api implements the link shortener's HTTP API.
package api

import (
	"database/sql"
	"encoding/json"
	"log"
	"net/http"
	"strings"

	"github.com/syumai/workers/cloudflare/d1"

	"example.com/links/settings"
)

// Link is the record stored under "link:<slug>".
type Link struct {
	Slug      string   `json:"slug"`
	URL       string   `json:"url"`
	Owner     string   `json:"owner"`
	Tags      []string `json:"tags,omitempty"`
	CreatedAt int64    `json:"created_at"`
	ExpiresAt int64    `json:"expires_at,omitempty"`
}

func linkKey(slug string) string { return "link:" + slug }

func openDB() (*sql.DB, error) {
	c, err := d1.OpenConnector(settings.DB)
	if err != nil {
		return nil, err
	}
	return sql.OpenDB(c), nil
}

func apiKey(r *http.Request) string {
	return strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")
}

func clientIP(r *http.Request) string {
	if ip := r.Header.Get("CF-Connecting-IP"); ip != "" {
		return ip
	}
	return "unknown"
}

func reply(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func oops(w http.ResponseWriter, err error) {
	log.Printf("error: %v", err)
	http.Error(w, "internal error", http.StatusInternalServerError)
}
