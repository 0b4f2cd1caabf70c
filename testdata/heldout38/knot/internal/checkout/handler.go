//go:build js && wasm

package checkout

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"strconv"
	"time"

	"github.com/boxoffice/knot/internal/edgekv"
)

// now is the package time source; tests pin it.
var now = time.Now

// Payments charges a card for a cart.
type Payments interface {
	Charge(ctx context.Context, cart Cart, token string) (orderID string, err error)
}

// Schedule tells when an event's doors close.
type Schedule interface {
	DoorsClose(ctx context.Context, eventID string) (time.Time, error)
}

// Handler serves /checkout.
type Handler struct {
	Carts    *Carts
	Recorder *Recorder
	Payments Payments
	Schedule Schedule
	Status   *edgekv.Store
}

type checkoutRequest struct {
	CartID    string `json:"cart_id"`
	CardToken string `json:"card_token"`
	Buyer     string `json:"buyer"`
}

func newCode() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// ServeHTTP charges the cart and records the resulting events.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	var req checkoutRequest
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		http.Error(w, "bad request", http.StatusBadRequest)
		return
	}
	started := now()
	outcome := "error"
	defer func() {
		line := outcome + " " + strconv.FormatInt(now().Sub(started).Milliseconds(), 10) + "ms"
		_ = h.Status.Put(context.WithoutCancel(ctx), "checkout:last", line, 0) // EXPECT kvhotkey
	}()

	cart, err := h.Carts.Get(ctx, req.CartID)
	if err != nil {
		http.Error(w, "cart unavailable", http.StatusServiceUnavailable)
		return
	}
	if len(cart.Items) == 0 {
		outcome = "empty"
		http.Error(w, "cart is empty", http.StatusConflict)
		return
	}
	orderID, err := h.Payments.Charge(ctx, cart, req.CardToken)
	if err != nil {
		outcome = "declined"
		_ = h.Recorder.Record(ctx, SeatsReleased{EventID: cart.Items[0].EventID, Items: cart.Items})
		http.Error(w, "payment declined", http.StatusPaymentRequired)
		return
	}

	events := []Event{OrderPlaced{
		OrderID: orderID, EventID: cart.Items[0].EventID, Buyer: req.Buyer,
		Items: cart.Items, Cents: cart.Total(), At: now(),
	}}
	doorsClose, err := h.Schedule.DoorsClose(ctx, cart.Items[0].EventID)
	if err != nil {
		doorsClose = now().Add(12 * time.Hour)
	}
	for _, it := range cart.Items {
		events = append(events, TicketIssued{OrderID: orderID, Code: newCode(), Seat: it.Seat, DoorsClose: doorsClose})
	}
	if err := h.Recorder.Record(ctx, events...); err != nil {
		http.Error(w, "order saved, tickets pending", http.StatusAccepted)
		return
	}
	outcome = "ok"
	if err := h.Status.Put(ctx, "orders:latest", orderID, 0); err != nil { // EXPECT kvhotkey
		outcome = "ok-nostatus"
	}
	// The order page reads this receipt once; it expires after the buyer has
	// had time to open it.
	receipt, _ := json.Marshal(map[string]any{"order": orderID, "total": cart.Total()})
	_ = h.Status.Put(ctx, "receipt:"+orderID, string(receipt), 2*time.Hour)
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]string{"order_id": orderID})
}
