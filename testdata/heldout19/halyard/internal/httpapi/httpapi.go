// Package httpapi exposes halyard's HTTP endpoints: carrier webhooks, the
// customer tracking API and the driver app API.
package httpapi

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"time"

	"example.com/halyard/internal/driverauth"
	"example.com/halyard/internal/keys"
	"example.com/halyard/internal/kvstore"
	"example.com/halyard/internal/tracking"
)

var now = time.Now

// TenantStores resolves the KV store for a tenant.
type TenantStores func(tenant string) (kvstore.ReadWriter, error)

// Server holds the handlers' dependencies.
type Server struct {
	Stores        TenantStores
	Auth          *driverauth.Auth
	WebhookSecret []byte
}

// Routes returns the HTTP mux.
func (s *Server) Routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /webhooks/{tenant}/{carrier}", s.carrierWebhook)
	mux.HandleFunc("GET /v1/{tenant}/customers/{customer}/shipments", s.listShipments)
	mux.Handle("POST /driver/v1/ping", s.driverOnly(http.HandlerFunc(s.ping)))
	return mux
}

type carrierEvent struct {
	EventID  string `json:"event_id"`
	Shipment string `json:"shipment_id"`
	Status   string `json:"status"`
	Location string `json:"location"`
	At       string `json:"occurred_at"`
}

func (s *Server) verify(r *http.Request, body []byte) bool {
	mac := hmac.New(sha256.New, s.WebhookSecret)
	mac.Write(body)
	got, err := hex.DecodeString(r.Header.Get("X-Halyard-Signature"))
	return err == nil && hmac.Equal(got, mac.Sum(nil))
}

func (s *Server) carrierWebhook(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	tenant, carrier := r.PathValue("tenant"), r.PathValue("carrier")
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, 1<<20))
	if err != nil || !s.verify(r, body) {
		http.Error(w, "bad signature", http.StatusUnauthorized)
		return
	}
	var ev carrierEvent
	if err := json.Unmarshal(body, &ev); err != nil || ev.EventID == "" {
		http.Error(w, "bad payload", http.StatusBadRequest)
		return
	}
	store, err := s.Stores(tenant)
	if err != nil {
		http.Error(w, err.Error(), http.StatusNotFound)
		return
	}
	at, err := time.Parse(time.RFC3339, ev.At)
	if err != nil {
		at = now()
	}
	cmd := tracking.NewCommandService(store)
	_, err = cmd.ApplyCarrierEvent(ctx, keys.Shipment{Tenant: tenant, ID: ev.Shipment}, tracking.Event{
		At: at, Status: tracking.Status(ev.Status), Location: ev.Location, EventID: ev.EventID,
	})
	if errors.Is(err, tracking.ErrUnknownShipment) {
		w.WriteHeader(http.StatusAccepted)
		return
	}
	if err != nil {
		http.Error(w, err.Error(), http.StatusServiceUnavailable)
		return
	}
	receipt := keys.Join("webhook", "receipt", carrier, ev.EventID)
	if err := store.Put(ctx, receipt, body, kvstore.PutOptions{TTL: kvstore.SecondsOf(72 * time.Hour)}); err != nil {
		http.Error(w, err.Error(), http.StatusServiceUnavailable)
		return
	}
	stamp := []byte(carrier + " " + now().UTC().Format(time.RFC3339Nano))
	if err := store.Put(ctx, "webhook:last-received", stamp, kvstore.PutOptions{}); err != nil { // EXPECT kvhotkey
		http.Error(w, err.Error(), http.StatusServiceUnavailable)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) listShipments(w http.ResponseWriter, r *http.Request) {
	tenant := r.PathValue("tenant")
	store, err := s.Stores(tenant)
	if err != nil {
		http.Error(w, err.Error(), http.StatusNotFound)
		return
	}
	q := tracking.NewQueryService(store, store)
	page, err := q.ListForCustomer(r.Context(), tenant, r.PathValue("customer"), r.URL.Query().Get("cursor"))
	if err != nil {
		http.Error(w, err.Error(), http.StatusServiceUnavailable)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(page)
}

// driverOnly authenticates "Bearer <driver>.<session>" and keeps the
// session alive.
func (s *Server) driverOnly(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		tok := strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")
		driver, id, ok := strings.Cut(tok, ".")
		if !ok {
			http.Error(w, "unauthorized", http.StatusUnauthorized)
			return
		}
		if err := s.Auth.Touch(r.Context(), keys.Driver(driver), id); err != nil {
			http.Error(w, "unauthorized", http.StatusUnauthorized)
			return
		}
		next.ServeHTTP(w, r)
	})
}

func (s *Server) ping(w http.ResponseWriter, _ *http.Request) {
	w.WriteHeader(http.StatusNoContent)
}
