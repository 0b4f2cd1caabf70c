//go:build js && wasm

// Package edge contains handlers that talk to the KV binding directly because
// they sit on the hot path in front of the API.
package edge

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"log"
	"net/http"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/syumai/workers/cloudflare/kv"

	"example.com/cinder/internal/clock"
	"example.com/cinder/internal/domain"
	"example.com/cinder/internal/policy"
)

const jsNull = "<null>"

// Handlers serves the edge-only endpoints.
type Handlers struct {
	ns    *kv.Namespace
	clock clock.Clock
	views atomic.Int64
}

// New builds Handlers on ns.
func New(ns *kv.Namespace, c clock.Clock) *Handlers { return &Handlers{ns: ns, clock: c} }

// Register mounts the edge routes on mux.
func (h *Handlers) Register(mux *http.ServeMux) {
	mux.HandleFunc("GET /healthz", h.health)
	mux.HandleFunc("GET /banner", h.banner)
	mux.HandleFunc("GET /magic", h.magic)
	mux.HandleFunc("POST /exports/{id}/link", h.downloadLink)
	mux.HandleFunc("GET /exports", h.exports)
	mux.HandleFunc("GET /dashboard", h.dashboard)
}

// Bootstrap marks the namespace as provisioned.
func (h *Handlers) Bootstrap() error {
	return h.ns.PutString(".", "provisioned", nil) // EXPECT kvlimits
}

func (h *Handlers) health(w http.ResponseWriter, r *http.Request) {
	now := h.clock.Now().Format(time.RFC3339)
	if err := h.ns.PutString("health:last-request", now, nil); err != nil { // EXPECT kvhotkey
		http.Error(w, "kv unavailable", http.StatusServiceUnavailable)
		return
	}
	mode, _ := h.ns.GetString("maintenance-mode", nil)
	if len(mode) == 0 { // EXPECT kvnull
		w.Write([]byte("ok"))
		return
	}
	http.Error(w, "maintenance: "+mode, http.StatusServiceUnavailable)
}

type bannerDoc struct {
	Text  string    `json:"text"`
	Until time.Time `json:"until"`
}

func (h *Handlers) banner(w http.ResponseWriter, r *http.Request) {
	rd, err := h.ns.GetReader("banner:current", nil) // EXPECT kvnull
	if err != nil {
		http.Error(w, "unavailable", http.StatusServiceUnavailable)
		return
	}
	var b bannerDoc
	if err := json.NewDecoder(rd).Decode(&b); err != nil {
		http.Error(w, "bad banner", http.StatusInternalServerError)
		return
	}
	if h.clock.Now().After(b.Until) {
		w.WriteHeader(http.StatusNoContent)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(b)
}

func (h *Handlers) magic(w http.ResponseWriter, r *http.Request) {
	token := r.URL.Query().Get("t")
	if token == "" {
		http.Error(w, "missing token", http.StatusBadRequest)
		return
	}
	sessionID, err := h.ns.GetString("magic:"+token, nil)
	if err != nil {
		http.Error(w, "unavailable", http.StatusServiceUnavailable)
		return
	}
	if sessionID == jsNull {
		http.Error(w, "link expired", http.StatusGone)
		return
	}
	if err := h.ns.Delete("magic:" + token); err != nil { // EXPECT kvsession
		http.Error(w, "unavailable", http.StatusServiceUnavailable)
		return
	}
	http.SetCookie(w, &http.Cookie{Name: "cinder_session", Value: sessionID, Path: "/", HttpOnly: true, Secure: true})
	http.Redirect(w, r, "/", http.StatusSeeOther)
}

func (h *Handlers) downloadLink(w http.ResponseWriter, r *http.Request) {
	var raw [18]byte
	_, _ = rand.Read(raw[:])
	token := base64.RawURLEncoding.EncodeToString(raw[:])
	target := "/exports/" + r.PathValue("id") + "/file"
	err := h.ns.PutString("dl:"+token, target, &kv.PutOptions{
		Expiration: int(h.clock.Now().Add(time.Hour).UnixMilli()), // EXPECT kvttl
	})
	if err != nil {
		http.Error(w, "unavailable", http.StatusServiceUnavailable)
		return
	}
	short := "s:" + token[:8]
	if err := h.ns.PutString(short, token, &kv.PutOptions{
		Expiration: int(h.clock.Now().Add(15 * time.Minute).Unix()),
	}); err != nil {
		log.Printf("short link: %v", err)
	}
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(map[string]string{"token": token, "short": short})
}

// exports returns one page of a tenant's exports with the cursor for the next.
func (h *Handlers) exports(w http.ResponseWriter, r *http.Request) {
	tenant := r.URL.Query().Get("tenant")
	opts := &kv.ListOptions{
		Prefix: "export:" + tenant + ":",
		Cursor: r.URL.Query().Get("cursor"),
		Limit:  policy.ExportPageSize(domain.PlanEnterprise),
	}
	res, err := h.ns.List(opts) // EXPECT kvlimits
	if err != nil {
		http.Error(w, "unavailable", http.StatusServiceUnavailable)
		return
	}
	names := make([]string, 0, len(res.Keys))
	for _, k := range res.Keys {
		names = append(names, k.Name)
	}
	next := ""
	if !res.ListComplete {
		next = res.Cursor
	}
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(map[string]any{"keys": names, "cursor": next})
}

func (h *Handlers) dashboard(w http.ResponseWriter, r *http.Request) {
	h.views.Add(1)
	tenant := r.URL.Query().Get("tenant")
	res, err := h.ns.List(&kv.ListOptions{Prefix: "api-token-owner:" + tenant + ":"}) // EXPECT kvlist
	if err != nil {
		http.Error(w, "unavailable", http.StatusServiceUnavailable)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	fmt.Fprintf(w, `{"tenant":%q,"api_keys":%d}`, tenant, len(res.Keys))
}

// FlushViews adds the locally counted dashboard views to the stored total.
func (h *Handlers) FlushViews() error {
	local := h.views.Swap(0)
	if local == 0 {
		return nil
	}
	v, err := h.ns.GetString("views:dashboard", nil)
	if err != nil {
		return err
	}
	total := int64(0)
	if v != jsNull {
		total, _ = strconv.ParseInt(v, 10, 64)
	}
	return h.ns.PutString("views:dashboard", strconv.FormatInt(total+local, 10), nil) // EXPECT kvcounter
}
