// Package webhook receives status callbacks from partner carriers that run
// the line-haul leg of a shipment.
package webhook

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"time"

	"example.com/caravan/internal/dispatch"
	"example.com/caravan/internal/fleet"
	"example.com/caravan/internal/platform/clock"
	"example.com/caravan/internal/storage"
)

// Callback is the body carriers post.
type Callback struct {
	EventID    string `json:"event_id"`
	Tenant     string `json:"tenant"`
	ShipmentID string `json:"shipment_id"`
	Status     string `json:"status"`
	Note       string `json:"note"`
}

var carrierStatus = map[string]fleet.Status{
	"PICKED_UP": fleet.StatusPickedUp,
	"DEPARTED":  fleet.StatusInTransit,
	"DELIVERED": fleet.StatusDelivered,
	"EXCEPTION": fleet.StatusFailed,
	"RETURNED":  fleet.StatusReturned,
}

// Secrets returns the shared signing secret of a carrier.
type Secrets func(carrier string) ([]byte, bool)

// Raw callbacks are kept for dispute handling.
const receiptRetention = 14 * 24 * time.Hour

func saveReceipt(ctx context.Context, st storage.Writer, key string, body []byte, ttlSeconds int) error {
	return st.Put(ctx, key, body, time.Duration(ttlSeconds)*time.Second)
}

// Deps are what the callback handler needs.
type Deps struct {
	Store   storage.Store
	Bus     *dispatch.Bus
	Secrets Secrets
	Clock   clock.Clock
	Log     *slog.Logger
}

func (d Deps) decode(w http.ResponseWriter, r *http.Request) (string, []byte, Callback, bool) {
	carrier := r.PathValue("carrier")
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, 64<<10))
	if err != nil {
		http.Error(w, "body too large", http.StatusRequestEntityTooLarge)
		return "", nil, Callback{}, false
	}
	secret, known := d.Secrets(carrier)
	mac := hmac.New(sha256.New, secret)
	mac.Write(body)
	sig, _ := hex.DecodeString(r.Header.Get("X-Carrier-Signature"))
	if !known || !hmac.Equal(mac.Sum(nil), sig) {
		http.Error(w, "bad signature", http.StatusUnauthorized)
		return "", nil, Callback{}, false
	}
	var cb Callback
	if err := json.Unmarshal(body, &cb); err != nil || cb.EventID == "" {
		http.Error(w, "bad payload", http.StatusBadRequest)
		return "", nil, Callback{}, false
	}
	return carrier, body, cb, true
}

func (d Deps) apply(ctx context.Context, carrier string, cb Callback) error {
	to, ok := carrierStatus[cb.Status]
	if !ok {
		return nil
	}
	_, err := dispatch.Send[fleet.Shipment](ctx, d.Bus, dispatch.TransitionShipment{
		Tenant: cb.Tenant, ShipmentID: cb.ShipmentID, To: to, Actor: carrier, Note: cb.Note, Source: "carrier",
	})
	if errors.Is(err, fleet.ErrBadTransition) {
		return nil
	}
	return err
}

// MakeCarrierCallback returns the handler for carrier callbacks. A redelivered
// event is acknowledged without being applied again.
func MakeCarrierCallback(d Deps) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		carrier, body, cb, ok := d.decode(w, r)
		if !ok {
			return
		}
		idem := "idem:" + carrier + ":" + cb.EventID
		if _, err := d.Store.Get(ctx, idem); err == nil {
			w.WriteHeader(http.StatusOK)
			return
		} else if !storage.IsNotFound(err) {
			http.Error(w, "try again", http.StatusServiceUnavailable)
			return
		}
		if err := d.apply(ctx, carrier, cb); err != nil {
			d.Log.WarnContext(ctx, "carrier event not applied", "event", cb.EventID, "err", err)
			http.Error(w, "try again", http.StatusServiceUnavailable)
			return
		}
		if err := d.Store.Put(ctx, idem, []byte(d.Clock.Now().Format(time.RFC3339)), 72*time.Hour); err != nil { // EXPECT kvrace
			d.Log.WarnContext(ctx, "idempotency mark not stored", "event", cb.EventID, "err", err)
		}
		if err := saveReceipt(ctx, d.Store, "cb:"+carrier+":"+cb.EventID, body,
			int(receiptRetention), // EXPECT kvttl
		); err != nil {
			d.Log.WarnContext(ctx, "receipt not stored", "event", cb.EventID, "err", err)
		}
		w.WriteHeader(http.StatusAccepted)
	}
}
