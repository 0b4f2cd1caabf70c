//go:build !js

// Package deposits takes card deposits for large parties and peak slots.
// Deposit records live in KV so that the Worker can show their status.
package deposits

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/kv"
	"github.com/cloudflare/cloudflare-go/v6/shared"

	"junco/internal/config"
	"junco/internal/keys"
	"junco/internal/restkv"
)

var ErrCodeTaken = errors.New("confirmation code already in use")

type Deposit struct {
	ID            string     `json:"id"`
	RestaurantID  string     `json:"restaurant_id"`
	ReservationID string     `json:"reservation_id"`
	GuestID       string     `json:"guest_id"`
	Code          string     `json:"code"`
	AmountCents   int64      `json:"amount_cents"`
	Currency      string     `json:"currency"`
	Status        string     `json:"status"`
	Slot          time.Time  `json:"slot"`
	CreatedAt     time.Time  `json:"created_at"`
	CapturedAt    *time.Time `json:"captured_at,omitempty"`
	History       []string   `json:"history"`
}

// Settings are the per-restaurant deposit rules.
type Settings struct {
	MinParty    int   `json:"min_party"`
	AmountCents int64 `json:"amount_cents"`
	PeakOnly    bool  `json:"peak_only"`
}

var defaultSettings = Settings{MinParty: 6, AmountCents: 2500, PeakOnly: true}

// Service has value receivers; it is copied into each handler.
type Service struct {
	KV  *restkv.Namespace
	Cfg config.Config
}

func newID() string {
	var b [12]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// confirmationCode is the short code read out to guests on the phone.
func confirmationCode(guestName string, slot time.Time) string {
	initials := strings.ToUpper(guestName)
	if len(initials) > 3 {
		initials = initials[:3]
	}
	return fmt.Sprintf("%s%s", initials, slot.Format("0102-1504"))
}

func (s Service) Create(ctx context.Context, restaurantID, reservationID, guestID, guestName string, slot time.Time, amount int64) (Deposit, error) {
	code := confirmationCode(guestName, slot)
	if _, taken, err := s.KV.Get(ctx, keys.ConfirmationCode(code)); err != nil {
		return Deposit{}, err
	} else if taken {
		return Deposit{}, ErrCodeTaken
	}
	d := Deposit{
		ID: newID(), RestaurantID: restaurantID, ReservationID: reservationID, GuestID: guestID,
		Code: code, AmountCents: amount, Currency: "USD", Status: "pending", Slot: slot,
		CreatedAt: time.Now().UTC(),
	}
	if err := s.KV.Put(ctx, keys.ConfirmationCode(code), d.ID, 0); err != nil { // EXPECT kvrace
		return Deposit{}, err
	}
	if err := s.KV.PutJSON(ctx, keys.Deposit(restaurantID, d.ID), d, s.Cfg.TTL.Deposit); err != nil {
		return Deposit{}, err
	}
	if err := s.KV.Put(ctx, "deposit:pending-reminder:"+d.ID, d.GuestID, 30*time.Second); err != nil { // EXPECT kvttl
		return Deposit{}, err
	}
	return d, nil
}

// Capture marks a deposit as charged once the party is seated.
func (s Service) Capture(ctx context.Context, restaurantID, id string) (Deposit, error) {
	key := keys.Deposit(restaurantID, id)
	var d Deposit
	found, err := s.KV.GetJSON(ctx, key, &d)
	if err != nil {
		return d, err
	}
	if !found {
		return d, fmt.Errorf("deposit %s not found", id)
	}
	now := time.Now().UTC()
	d.Status = "captured"
	d.CapturedAt = &now
	d.History = append(d.History, "captured "+now.Format(time.RFC3339))
	return d, s.KV.PutJSON(ctx, key, d, s.Cfg.TTL.Deposit) // EXPECT kvrace
}

// Refund writes the refunded record directly, keeping it for the
// configured retention.
func (s Service) Refund(ctx context.Context, d Deposit, reason string) error {
	d.Status = "refunded"
	d.History = append(d.History, "refunded: "+reason)
	b, _ := json.Marshal(d)
	_, err := s.KV.API.KV.Namespaces.Values.Update(ctx, s.KV.NamespaceID, keys.Deposit(d.RestaurantID, d.ID), kv.NamespaceValueUpdateParams{
		AccountID:     cloudflare.F(s.KV.AccountID),
		Value:         cloudflare.F[kv.NamespaceValueUpdateParamsValueUnion](shared.UnionString(b)),
		ExpirationTTL: cloudflare.F(float64(s.Cfg.TTL.Deposit)), // EXPECT kvttl
	})
	return err
}

// PaymentLink stores the checkout link the guest receives by SMS. It stays
// valid until the reserved slot begins.
func (s Service) PaymentLink(ctx context.Context, d Deposit, link string) error {
	_, err := s.KV.API.KV.Namespaces.Values.Update(ctx, s.KV.NamespaceID, "paylink:"+d.ID, kv.NamespaceValueUpdateParams{
		AccountID:  cloudflare.F(s.KV.AccountID),
		Value:      cloudflare.F[kv.NamespaceValueUpdateParamsValueUnion](shared.UnionString(link)),
		Expiration: cloudflare.F(float64(d.Slot.UnixMilli())), // EXPECT kvttl
	})
	return err
}

// ChallengeToken stores the 3-D Secure challenge reference while the guest
// completes it in the card issuer's page.
func (s Service) ChallengeToken(ctx context.Context, d Deposit, ref string) error {
	_, err := s.KV.API.KV.Namespaces.Values.Update(ctx, s.KV.NamespaceID, "3ds:"+d.ID, kv.NamespaceValueUpdateParams{
		AccountID:  cloudflare.F(s.KV.AccountID),
		Value:      cloudflare.F[kv.NamespaceValueUpdateParamsValueUnion](shared.UnionString(ref)),
		Expiration: cloudflare.F(float64(time.Now().Add(45 * time.Second).Unix())), // EXPECT kvttl
	})
	return err
}

// ReceiptLink keeps the receipt link until two hours after the slot.
func (s Service) ReceiptLink(ctx context.Context, d Deposit, link string) error {
	return s.KV.PutUntil(ctx, "receipt:"+d.ID, link, d.Slot.Add(2*time.Hour))
}

// Settings returns the deposit rules, creating the defaults on first use.
func (s Service) Settings(ctx context.Context, restaurantID string) (Settings, error) {
	key := "deposit-settings:" + restaurantID
	resp, err := s.KV.API.KV.Namespaces.Values.Get(ctx, s.KV.NamespaceID, key, kv.NamespaceValueGetParams{ // EXPECT kvnull
		AccountID: cloudflare.F(s.KV.AccountID),
	})
	if err != nil {
		return defaultSettings, s.KV.PutJSON(ctx, key, defaultSettings, 0)
	}
	defer resp.Body.Close()
	var st Settings
	return st, json.NewDecoder(resp.Body).Decode(&st)
}

// AddOn is a pre-ordered extra (cake, wine) attached to a booking.
type AddOn struct {
	SKU   string `json:"sku"`
	Qty   int    `json:"qty"`
	Cents int64  `json:"cents"`
}

// Handler exposes the deposit routes of the backend API.
type Handler struct {
	Svc Service
}

func (h Handler) Register(mux *http.ServeMux) {
	mux.HandleFunc("POST /v1/restaurants/{rid}/deposits", h.create)
	mux.HandleFunc("POST /v1/restaurants/{rid}/deposits/{id}/capture", h.capture)
	mux.HandleFunc("POST /v1/guests/{gid}/cart", h.addToCart)
	mux.HandleFunc("GET /v1/restaurants/{rid}/deposit-settings", h.settings)
}

func (h Handler) create(w http.ResponseWriter, r *http.Request) {
	var in struct {
		ReservationID string    `json:"reservation_id"`
		GuestID       string    `json:"guest_id"`
		GuestName     string    `json:"guest_name"`
		Slot          time.Time `json:"slot"`
		AmountCents   int64     `json:"amount_cents"`
	}
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
		http.Error(w, "bad body", http.StatusBadRequest)
		return
	}
	d, err := h.Svc.Create(r.Context(), r.PathValue("rid"), in.ReservationID, in.GuestID, in.GuestName, in.Slot, in.AmountCents)
	if errors.Is(err, ErrCodeTaken) {
		http.Error(w, err.Error(), http.StatusConflict)
		return
	}
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	w.WriteHeader(http.StatusCreated)
	json.NewEncoder(w).Encode(d)
}

func (h Handler) capture(w http.ResponseWriter, r *http.Request) {
	d, err := h.Svc.Capture(r.Context(), r.PathValue("rid"), r.PathValue("id"))
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	json.NewEncoder(w).Encode(d)
}

func (h Handler) addToCart(w http.ResponseWriter, r *http.Request) {
	var item AddOn
	if err := json.NewDecoder(r.Body).Decode(&item); err != nil || item.Qty < 1 {
		http.Error(w, "bad item", http.StatusBadRequest)
		return
	}
	key := keys.Cart(r.PathValue("gid"))
	var cart struct {
		Items   []AddOn   `json:"items"`
		Updated time.Time `json:"updated"`
	}
	if _, err := h.Svc.KV.GetJSON(r.Context(), key, &cart); err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	cart.Items = append(cart.Items, item)
	cart.Updated = time.Now().UTC()
	if err := h.Svc.KV.PutJSON(r.Context(), key, cart, 7*24*time.Hour); err != nil { // EXPECT kvsession|kvrace
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	json.NewEncoder(w).Encode(cart)
}

func (h Handler) settings(w http.ResponseWriter, r *http.Request) {
	st, err := h.Svc.Settings(r.Context(), r.PathValue("rid"))
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	json.NewEncoder(w).Encode(st)
}
