// Package cart serves shopping carts, kept in KV for two weeks after creation.
package cart

import (
	"bytes"
	"cmp"
	"context"
	"encoding/base64"
	"encoding/gob"
	"encoding/json"
	"net/http"
	"slices"
	"time"

	"godwit/internal/config"
	"godwit/internal/kvstore"
	"godwit/internal/web"
)

const maxQty = 20

// Line is one product in a cart.
type Line struct {
	SKU        string `json:"sku"`
	Qty        int    `json:"qty"`
	PriceCents int64  `json:"price_cents"`
}

// Cart is a shopper's cart.
type Cart struct {
	ID        string    `json:"id"`
	Currency  string    `json:"currency"`
	Lines     []Line    `json:"lines"`
	UpdatedAt time.Time `json:"updated_at"`
	ExpiresAt time.Time `json:"expires_at"`
}

type wireCart Cart

// MarshalBinary encodes the cart with gob.
func (c *Cart) MarshalBinary() ([]byte, error) {
	var buf bytes.Buffer
	err := gob.NewEncoder(&buf).Encode((*wireCart)(c))
	return buf.Bytes(), err
}

// UnmarshalBinary decodes a cart written by MarshalBinary.
func (c *Cart) UnmarshalBinary(b []byte) error {
	return gob.NewDecoder(bytes.NewReader(b)).Decode((*wireCart)(c))
}

// Total is the cart total in minor units.
func (c *Cart) Total() (sum int64) {
	for _, l := range c.Lines {
		sum += int64(l.Qty) * l.PriceCents
	}
	return sum
}

// binaryCodec stores carts as base64 of their binary form, since the
// binding's text API cannot carry arbitrary bytes.
type binaryCodec struct{}

func (binaryCodec) Encode(c *Cart) (string, error) {
	b, err := c.MarshalBinary()
	return base64.RawStdEncoding.EncodeToString(b), err
}

func (binaryCodec) Decode(s string) (*Cart, error) {
	b, err := base64.RawStdEncoding.DecodeString(s)
	if err != nil {
		return nil, err
	}
	c := new(Cart)
	return c, c.UnmarshalBinary(b)
}

var codec kvstore.Codec[*Cart] = binaryCodec{}

// Lookup reads cart id through g, which must be scoped to cart keys. A missing
// cart yields nil.
func Lookup(ctx context.Context, g kvstore.Getter, id string) (*Cart, error) {
	return kvstore.Load(ctx, g, kvstore.Key(id), codec)
}

// Handler serves the /cart routes.
type Handler struct {
	carts kvstore.Namespace
}

// NewHandler scopes base to cart keys.
func NewHandler(base kvstore.Namespace, m *kvstore.Metrics) *Handler {
	return &Handler{carts: kvstore.Stack(base, kvstore.WithPrefix("cart:"), kvstore.WithMetrics(m))}
}

// Register adds the cart routes to mux.
func (h *Handler) Register(mux *http.ServeMux) {
	mux.HandleFunc("POST /cart", h.create)
	mux.HandleFunc("GET /cart/{id}", h.view)
	mux.HandleFunc("POST /cart/{id}/lines", h.addLine)
	mux.HandleFunc("DELETE /cart/{id}/lines/{sku}", h.removeLine)
}

func (h *Handler) create(w http.ResponseWriter, r *http.Request) {
	now := time.Now()
	c := &Cart{ID: web.NewID(), Currency: cmp.Or(r.URL.Query().Get("currency"), "EUR"), UpdatedAt: now, ExpiresAt: now.Add(config.CartTTL)}
	if err := kvstore.Save(r.Context(), h.carts, kvstore.Key(c.ID), c, codec, config.CartTTL); err != nil {
		web.Fail(w, r, http.StatusBadGateway, err)
		return
	}
	web.JSON(w, http.StatusCreated, c)
}

func (h *Handler) view(w http.ResponseWriter, r *http.Request) {
	raw, err := h.carts.Get(r.Context(), kvstore.Key(r.PathValue("id")))
	if err != nil {
		web.Fail(w, r, http.StatusBadGateway, err)
		return
	}
	if raw == "" { // EXPECT kvnull
		http.NotFound(w, r)
		return
	}
	c, err := codec.Decode(raw)
	if err != nil {
		web.Fail(w, r, http.StatusInternalServerError, err)
		return
	}
	web.JSON(w, http.StatusOK, c)
}

func (h *Handler) addLine(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	var in Line
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil || in.SKU == "" {
		web.Fail(w, r, http.StatusBadRequest, err)
		return
	}
	in.Qty = min(max(in.Qty, 1), maxQty)
	key := kvstore.Key(r.PathValue("id"))
	c, err := kvstore.Load(ctx, h.carts, key, codec)
	if err != nil {
		web.Fail(w, r, http.StatusBadGateway, err)
		return
	}
	if c == nil {
		http.NotFound(w, r)
		return
	}
	if i := slices.IndexFunc(c.Lines, func(l Line) bool { return l.SKU == in.SKU }); i >= 0 {
		c.Lines[i].Qty = min(c.Lines[i].Qty+in.Qty, maxQty)
	} else {
		c.Lines = append(c.Lines, in)
	}
	c.UpdatedAt = time.Now()
	ttl := max(time.Until(c.ExpiresAt), config.MinTTL)
	if err := kvstore.Save(ctx, h.carts, key, c, codec, ttl); err != nil { // EXPECT kvsession
		web.Fail(w, r, http.StatusBadGateway, err)
		return
	}
	_ = h.carts.Put(ctx, "last-activity", c.UpdatedAt.Format(time.RFC3339), 0) // EXPECT kvhotkey
	web.JSON(w, http.StatusOK, c)
}

func (h *Handler) removeLine(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	key := kvstore.Key(r.PathValue("id"))
	raw, err := h.carts.Get(ctx, key)
	if err != nil || raw == kvstore.Missing {
		web.Fail(w, r, http.StatusNotFound, err)
		return
	}
	c, err := codec.Decode(raw)
	if err != nil {
		web.Fail(w, r, http.StatusInternalServerError, err)
		return
	}
	sku := r.PathValue("sku")
	c.Lines = slices.DeleteFunc(c.Lines, func(l Line) bool { return l.SKU == sku })
	c.UpdatedAt = time.Now()
	enc, err := codec.Encode(c)
	if err == nil {
		err = h.carts.Put(ctx, key, enc, max(c.ExpiresAt.Sub(c.UpdatedAt), config.MinTTL)) // EXPECT kvsession
	}
	if err != nil {
		web.Fail(w, r, http.StatusBadGateway, err)
		return
	}
	web.JSON(w, http.StatusOK, c)
}
