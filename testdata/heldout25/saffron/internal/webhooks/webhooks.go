// Package webhooks receives callbacks from the point-of-sale system and the
// SMS provider, and serves the backend's admin endpoints.
package webhooks

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"log"
	"net/http"
	"time"

	"example.com/saffron/internal/cfkv"
	"example.com/saffron/internal/domain"
	"example.com/saffron/internal/keys"
	"example.com/saffron/internal/storage"
)

// Handler serves the webhook endpoints.
type Handler struct {
	store  cfkv.Store
	quota  storage.Store[string, int]
	secret []byte
}

// NewHandler builds the webhook handler.
func NewHandler(store cfkv.Store, secret string) *Handler {
	return &Handler{
		store:  store,
		quota:  storage.NewTyped[string, int](store, storage.IntCodec{}),
		secret: []byte(secret),
	}
}

// Register mounts the routes on mux.
func (h *Handler) Register(mux *http.ServeMux) {
	mux.HandleFunc("POST /v1/hooks/pos/{venue}", h.posEvent)
	mux.HandleFunc("POST /v1/hooks/sms/status", h.smsStatus)
	mux.HandleFunc("POST /v1/guests/{id}/password-changed", h.passwordChanged)
	mux.HandleFunc("PUT /v1/venues/{id}", h.putVenue)
	mux.HandleFunc("GET /v1/venues/{id}", h.getVenue)
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusNoContent) })
}

func (h *Handler) verify(r *http.Request, body []byte) bool {
	mac := hmac.New(sha256.New, h.secret)
	mac.Write(body)
	want := hex.EncodeToString(mac.Sum(nil))
	return hmac.Equal([]byte(want), []byte(r.Header.Get("X-Signature")))
}

type posEvent struct {
	ID      string          `json:"id"`
	Type    string          `json:"type"`
	Payload json.RawMessage `json:"payload"`
}

func (h *Handler) posEvent(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err != nil || !h.verify(r, body) {
		http.Error(w, "bad signature", http.StatusUnauthorized)
		return
	}
	var ev posEvent
	if err := json.Unmarshal(body, &ev); err != nil || ev.ID == "" {
		http.Error(w, "bad event", http.StatusBadRequest)
		return
	}
	idem := keys.Idempotency("pos", ev.ID)
	if _, err := h.store.Get(ctx, idem); err == nil {
		w.WriteHeader(http.StatusOK)
		return
	} else if !storage.IsNotFound(err) {
		http.Error(w, "storage unavailable", http.StatusServiceUnavailable)
		return
	}
	if err := h.apply(ctx, r.PathValue("venue"), ev); err != nil {
		http.Error(w, err.Error(), http.StatusUnprocessableEntity)
		return
	}
	if err := h.store.Put(ctx, idem, []byte(ev.Type), storage.WithTTL(72*time.Hour)); err != nil { // EXPECT kvrace
		log.Printf("idempotency %s: %v", ev.ID, err)
	}
	stamp, _ := json.Marshal(struct {
		Venue string    `json:"venue"`
		Event string    `json:"event"`
		At    time.Time `json:"at"`
	}{r.PathValue("venue"), ev.ID, time.Now().UTC()})
	_ = h.store.Put(ctx, "pos:last-event", stamp) // EXPECT kvhotkey
	w.WriteHeader(http.StatusAccepted)
}

func (h *Handler) apply(ctx context.Context, venueID string, ev posEvent) error {
	switch ev.Type {
	case "reservation.updated":
		var resv domain.Reservation
		if err := json.Unmarshal(ev.Payload, &resv); err != nil {
			return err
		}
		ttl := storage.AtLeastMinute(time.Until(resv.Start.Add(24 * time.Hour)))
		return h.store.Put(ctx, keys.Reservation(venueID, resv.ID), ev.Payload, storage.WithTTL(ttl))
	case "item.86d":
		var it domain.MenuItem
		if err := json.Unmarshal(ev.Payload, &it); err != nil {
			return err
		}
		it.Available = false
		b, _ := json.Marshal(it)
		return h.store.Put(ctx, keys.MenuItem(venueID, it.ID), b, storage.WithTTL(time.Hour))
	default:
		return nil
	}
}

// deliveryReceipt is the provider's status callback.
type deliveryReceipt struct {
	MessageID string `json:"message_id"`
	Status    string `json:"status"`
	VenueID   string `json:"venue_id"`
}

func (h *Handler) smsStatus(w http.ResponseWriter, r *http.Request) {
	var rc deliveryReceipt
	if err := json.NewDecoder(r.Body).Decode(&rc); err != nil {
		http.Error(w, "bad receipt", http.StatusBadRequest)
		return
	}
	if rc.Status != "failed" && rc.Status != "undelivered" {
		w.WriteHeader(http.StatusNoContent)
		return
	}
	key := "sms-quota:" + rc.VenueID + ":" + time.Now().UTC().Format("2006-01")
	n, err := h.quota.Get(r.Context(), key)
	if err != nil && !storage.IsNotFound(err) {
		http.Error(w, "storage unavailable", http.StatusServiceUnavailable)
		return
	}
	if err := h.quota.Put(r.Context(), key, n+1, storage.WithTTL(45*24*time.Hour)); err != nil { // EXPECT kvcounter
		http.Error(w, "storage unavailable", http.StatusServiceUnavailable)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (h *Handler) passwordChanged(w http.ResponseWriter, r *http.Request) {
	guestID := r.PathValue("id")
	entry, _ := json.Marshal(struct {
		Guest  string    `json:"guest"`
		Before time.Time `json:"before"`
	}{guestID, time.Now().UTC()})
	if err := h.store.Put(r.Context(), "revoked:"+guestID, entry, storage.WithTTL(30*24*time.Hour)); err != nil { // EXPECT kvsession
		http.Error(w, "storage unavailable", http.StatusServiceUnavailable)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// putVenue replaces a venue profile with the body; the POS is the source of
// truth, so nothing is read back first.
func (h *Handler) putVenue(w http.ResponseWriter, r *http.Request) {
	var v domain.Venue
	if err := json.NewDecoder(r.Body).Decode(&v); err != nil {
		http.Error(w, "bad venue", http.StatusBadRequest)
		return
	}
	v.ID = r.PathValue("id")
	v.Touch("pos", time.Now().UTC())
	b, _ := json.Marshal(v)
	if err := h.store.Put(r.Context(), keys.Venue(v.ID), b, storage.WithTTL(24*time.Hour)); err != nil {
		http.Error(w, "storage unavailable", http.StatusServiceUnavailable)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (h *Handler) getVenue(w http.ResponseWriter, r *http.Request) {
	b, err := h.store.Get(r.Context(), keys.Venue(r.PathValue("id")))
	if storage.IsNotFound(err) {
		http.NotFound(w, r)
		return
	}
	if err != nil {
		http.Error(w, "storage unavailable", http.StatusServiceUnavailable)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(b)
}
