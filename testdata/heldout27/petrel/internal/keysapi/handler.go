// Package keysapi is the HTTP surface of the key service.
package keysapi

import (
	"encoding/json"
	"errors"
	"log"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/cloudflare/cloudflare-go"

	"example.com/petrel/internal/apikeys"
	"example.com/petrel/internal/audit"
	"example.com/petrel/internal/ident"
	"example.com/petrel/internal/invites"
	"example.com/petrel/internal/metering"
	"example.com/petrel/internal/storage"
)

// KV gives the handler direct access to the namespace.
type KV interface {
	API() (*cloudflare.API, *cloudflare.ResourceContainer, string)
}

type Handler struct {
	keys    *apikeys.Service
	meter   *metering.Meter
	audit   *audit.Log
	invites *invites.Service
	api     *cloudflare.API
	rc      *cloudflare.ResourceContainer
	ns      string
}

func ProvideHandler(keys *apikeys.Service, meter *metering.Meter, log *audit.Log, inv *invites.Service, kv KV) *Handler {
	api, rc, ns := kv.API()
	return &Handler{keys: keys, meter: meter, audit: log, invites: inv, api: api, rc: rc, ns: ns}
}

func (h *Handler) Routes() *http.ServeMux {
	mux := http.NewServeMux()
	mux.HandleFunc("/v1/keys", h.handleKeys)
	mux.HandleFunc("/v1/usage", h.handleUsage)
	mux.HandleFunc("/v1/usage/ingest", h.handleIngest)
	mux.HandleFunc("/v1/audit", h.handleAudit)
	mux.HandleFunc("/v1/invites", h.handleInvites)
	return mux
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func fail(w http.ResponseWriter, err error) {
	status := http.StatusInternalServerError
	switch {
	case errors.Is(err, apikeys.ErrUnknownKey):
		status = http.StatusUnauthorized
	case errors.Is(err, apikeys.ErrForbidden):
		status = http.StatusForbidden
	case errors.Is(err, metering.ErrQuotaExceeded):
		status = http.StatusTooManyRequests
	case errors.Is(err, storage.ErrNotFound):
		status = http.StatusNotFound
	case errors.Is(err, invites.ErrAlreadyInvited):
		status = http.StatusConflict
	case errors.Is(err, invites.ErrInvalidInvite), errors.Is(err, ident.ErrInvalid):
		status = http.StatusBadRequest
	default:
		log.Printf("keysapi: %v", err)
		err = errors.New("internal error")
	}
	writeJSON(w, status, map[string]string{"error": err.Error()})
}

// principal authenticates the request and charges it to the key's quota.
func (h *Handler) principal(r *http.Request, scope string) (*apikeys.Principal, error) {
	secret, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !ok {
		return nil, apikeys.ErrUnknownKey
	}
	p, err := h.keys.Authenticate(r.Context(), ident.Secret(secret))
	if err != nil {
		return nil, err
	}
	if scope != "" && !p.Can(scope) {
		return nil, apikeys.ErrForbidden
	}
	return p, h.meter.Consume(r.Context(), p.KeyID)
}

func (h *Handler) handleKeys(w http.ResponseWriter, r *http.Request) {
	p, err := h.principal(r, "admin")
	if err != nil {
		fail(w, err)
		return
	}
	switch r.Method {
	case http.MethodGet:
		h.listKeys(w, r, p)
	case http.MethodPost:
		h.createKey(w, r, p)
	case http.MethodPut:
		h.rotateKey(w, r, p)
	case http.MethodDelete:
		// The revoke hook writes the audit event.
		if err := h.keys.Revoke(r.Context(), p.Team, ident.KeyID(r.URL.Query().Get("id"))); err != nil {
			fail(w, err)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	default:
		w.Header().Set("Allow", "GET, POST, PUT, DELETE")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
	}
}

func (h *Handler) listKeys(w http.ResponseWriter, r *http.Request, p *apikeys.Principal) {
	rows, next, err := h.keys.List(r.Context(), p.Team, r.URL.Query().Get("cursor"))
	if err != nil {
		fail(w, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"keys": rows, "cursor": next})
}

func (h *Handler) createKey(w http.ResponseWriter, r *http.Request, p *apikeys.Principal) {
	var body struct {
		Scopes []string `json:"scopes"`
	}
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 4<<10)).Decode(&body); err != nil {
		http.Error(w, "bad request", http.StatusBadRequest)
		return
	}
	pol, err := h.keys.TeamPolicy(r.Context(), p.Team)
	if err != nil {
		fail(w, err)
		return
	}
	for _, sc := range body.Scopes {
		if !slices.Contains(pol.AllowedScopes, sc) {
			fail(w, apikeys.ErrForbidden)
			return
		}
	}
	secret, k, err := h.keys.Create(r.Context(), p.Team, body.Scopes)
	if err != nil {
		fail(w, err)
		return
	}
	h.record(r, p, "key.create", string(k.ID))
	writeJSON(w, http.StatusCreated, map[string]any{"id": k.ID, "secret": secret, "scopes": k.Scopes})
}

func (h *Handler) rotateKey(w http.ResponseWriter, r *http.Request, p *apikeys.Principal) {
	id := ident.KeyID(r.URL.Query().Get("id"))
	secret, k, err := h.keys.Rotate(r.Context(), p.Team, id)
	if err != nil {
		fail(w, err)
		return
	}
	h.record(r, p, "key.rotate", string(id))
	writeJSON(w, http.StatusCreated, map[string]any{"id": k.ID, "secret": secret, "replaces": id})
}

func (h *Handler) handleUsage(w http.ResponseWriter, r *http.Request) {
	p, err := h.principal(r, "read")
	if err != nil {
		fail(w, err)
		return
	}
	t, err := h.meter.Snapshot(r.Context(), p.KeyID)
	if err != nil {
		fail(w, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"usage": t, "alert_at_percent": h.meter.AlertThreshold(r.Context(), p.KeyID)})
}

func (h *Handler) handleIngest(w http.ResponseWriter, r *http.Request) {
	if _, err := h.principal(r, "ingest"); err != nil {
		fail(w, err)
		return
	}
	var events []metering.Event
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<20)).Decode(&events); err != nil {
		http.Error(w, "bad request", http.StatusBadRequest)
		return
	}
	if err := h.meter.Flush(r.Context(), events); err != nil {
		fail(w, err)
		return
	}
	stamp := []byte(time.Now().UTC().Format(time.RFC3339Nano))
	if _, err := h.api.WriteWorkersKVEntry(r.Context(), h.rc, cloudflare.WriteWorkersKVEntryParams{NamespaceID: h.ns, Key: "ingest/last-seen", Value: stamp}); err != nil { // EXPECT kvhotkey
		log.Printf("keysapi: ingest stamp: %v", err)
	}
	w.WriteHeader(http.StatusAccepted)
}

func (h *Handler) handleAudit(w http.ResponseWriter, r *http.Request) {
	p, err := h.principal(r, "admin")
	if err != nil {
		fail(w, err)
		return
	}
	q := r.URL.Query()
	if q.Get("format") == "ndjson" {
		_ = h.audit.Export(r.Context(), p.Team, w)
		return
	}
	rows, next, err := h.audit.Recent(r.Context(), p.Team, q.Get("cursor"))
	if action := q.Get("action"); action != "" {
		rows, next, err = h.audit.Search(r.Context(), p.Team, action, q.Get("cursor"))
	}
	if err != nil {
		fail(w, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"events": rows, "cursor": next})
}

func (h *Handler) handleInvites(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Team  ident.TeamID `json:"team"`
		Email string       `json:"email"`
		Role  string       `json:"role"`
		Token string       `json:"token"`
	}
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 4<<10)).Decode(&body); err != nil {
		http.Error(w, "bad request", http.StatusBadRequest)
		return
	}
	email, err := ident.ParseEmail(body.Email)
	if err != nil {
		fail(w, err)
		return
	}
	if body.Token != "" {
		// Opened from the invitation email; no API key involved.
		m, err := h.invites.Accept(r.Context(), body.Team, email, body.Token)
		if err != nil {
			fail(w, err)
			return
		}
		writeJSON(w, http.StatusOK, m)
		return
	}
	p, err := h.principal(r, "admin")
	if err != nil {
		fail(w, err)
		return
	}
	inv, _, err := h.invites.Invite(r.Context(), p.Team, email, body.Role, string(p.KeyID))
	if err != nil {
		fail(w, err)
		return
	}
	writeJSON(w, http.StatusCreated, map[string]any{"email": inv.Email, "expires_at": inv.ExpiresAt})
}

func (h *Handler) record(r *http.Request, p *apikeys.Principal, action, target string) {
	ev := audit.Event{Team: p.Team, Actor: string(p.KeyID), Action: action, Target: target, IP: r.Header.Get("CF-Connecting-IP")}
	if err := h.audit.Append(r.Context(), ev); err != nil {
		log.Printf("keysapi: audit %s: %v", action, err)
	}
}
