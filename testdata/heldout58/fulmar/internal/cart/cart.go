// Package cart keeps guests' carts between page loads and turns them into
// orders at checkout.
package cart

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/samber/lo"

	"fulmar/internal/keys"
	"fulmar/internal/kvstore"
	"fulmar/internal/ttl"
)

const cookieName = "fulmar_cart"

// Line is one item in a cart.
type Line struct {
	ItemID string `json:"item_id"`
	Qty    int    `json:"qty"`
	Note   string `json:"note,omitempty"`
}

// Cart is the stored cart document.
type Cart struct {
	Lines     []Line    `json:"lines"`
	Table     int       `json:"table,omitempty"`
	CreatedAt time.Time `json:"created_at"`
}

// Orders is the order system carts are submitted to.
type Orders interface {
	Submit(ctx context.Context, venue keys.Venue, c Cart) (string, error)
}

// Service handles the cart endpoints.
type Service struct {
	store  kvstore.Store
	orders Orders
}

// New stacks the cart layers on base. Carts live a day unless the cookie
// says otherwise.
func New(base kvstore.Store, orders Orders) *Service {
	layers := []kvstore.Layer{
		kvstore.Namespaced("cart"),
		kvstore.TTLPolicy(86_400, 60),
		kvstore.Retry(2),
	}
	return &Service{store: kvstore.Stack(base, layers...), orders: orders}
}

// Routes mounts the cart endpoints.
func (s *Service) Routes(r chi.Router) {
	r.Post("/venues/{venue}/cart", s.handleCreate)
	r.Post("/venues/{venue}/cart/items", s.handleAdd)
	r.Delete("/venues/{venue}/cart/items/{item}", s.handleRemove)
	r.Post("/venues/{venue}/cart/checkout", s.handleCheckout)
}

func guestID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

type pending struct {
	key  keys.Cart
	body []byte
	ttl  int
}

func (s *Service) save(ctx context.Context, p pending) error {
	return s.store.Put(ctx, kvstore.Entry{Key: p.key.String(), Value: p.body, TTL: p.ttl})
}

func (s *Service) handleCreate(w http.ResponseWriter, r *http.Request) {
	venue := keys.Venue(chi.URLParam(r, "venue"))
	key := keys.Cart{Venue: venue, Guest: guestID()}
	body := lo.Must(json.Marshal(Cart{CreatedAt: time.Now()}))
	if err := s.save(r.Context(), pending{key, body, 30}); err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	http.SetCookie(w, &http.Cookie{Name: cookieName, Value: key.Guest, MaxAge: 86_400, Path: "/", HttpOnly: true})
	w.WriteHeader(http.StatusCreated)
}

func (s *Service) cartKey(r *http.Request) (keys.Cart, *http.Cookie, error) {
	c, err := r.Cookie(cookieName)
	if err != nil {
		return keys.Cart{}, nil, err
	}
	return keys.Cart{Venue: keys.Venue(chi.URLParam(r, "venue")), Guest: c.Value}, c, nil
}

func (s *Service) handleAdd(w http.ResponseWriter, r *http.Request) {
	key, cookie, err := s.cartKey(r)
	if err != nil {
		http.Error(w, "no cart", http.StatusBadRequest)
		return
	}
	var line Line
	if err := json.NewDecoder(r.Body).Decode(&line); err != nil || line.Qty <= 0 {
		http.Error(w, "bad line", http.StatusBadRequest)
		return
	}
	life := kvstore.Seconds(ttl.FromCookie(cookie))
	err = kvstore.Update(r.Context(), s.store, key.String(), life, func(old []byte) ([]byte, error) { // EXPECT kvsession
		var c Cart
		if old != nil {
			if err := json.Unmarshal(old, &c); err != nil {
				return nil, err
			}
		}
		c.Lines = append(c.Lines, line)
		return json.Marshal(c)
	})
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (s *Service) handleRemove(w http.ResponseWriter, r *http.Request) {
	key, cookie, err := s.cartKey(r)
	if err != nil {
		http.Error(w, "no cart", http.StatusBadRequest)
		return
	}
	item := chi.URLParam(r, "item")
	ctx := r.Context()
	raw, err := s.store.Get(ctx, key.String())
	if err != nil {
		http.Error(w, "no cart", http.StatusNotFound)
		return
	}
	var c Cart
	if err := json.Unmarshal(raw, &c); err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	c.Lines = slices.DeleteFunc(c.Lines, func(l Line) bool { return l.ItemID == item })
	life := ttl.FromCookie(cookie)
	if err := kvstore.PutFor(ctx, s.store, key.String(), lo.Must(json.Marshal(c)), life); err != nil { // EXPECT kvrace|kvsession
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (s *Service) handleCheckout(w http.ResponseWriter, r *http.Request) {
	key, _, err := s.cartKey(r)
	if err != nil {
		http.Error(w, "no cart", http.StatusBadRequest)
		return
	}
	ctx := r.Context()
	raw, err := s.store.Get(ctx, key.String())
	if errors.Is(err, kvstore.ErrNotFound) {
		http.Error(w, "cart expired", http.StatusGone)
		return
	} else if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	var c Cart
	if err := json.Unmarshal(raw, &c); err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	orderID, err := s.orders.Submit(ctx, key.Venue, c)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	kvstore.Try("clear cart", func() error { return s.store.Delete(ctx, key.String()) }) // DEBATABLE kvsession
	http.SetCookie(w, &http.Cookie{Name: cookieName, Value: "", MaxAge: -1, Path: "/"})
	w.Header().Set("Location", fmt.Sprintf("/orders/%s", orderID))
	w.WriteHeader(http.StatusCreated)
}
