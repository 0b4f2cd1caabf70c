//go:build js && wasm

// Package holds serves fare quotes, fare holds and the booking cart.
package holds

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"time"

	"github.com/syumai/workers/cloudflare/kv"

	"example.com/wayfarer/internal/config"
	"example.com/wayfarer/internal/domain"
	mw "example.com/wayfarer/internal/edge/middleware"
	"example.com/wayfarer/internal/storage"
	"example.com/wayfarer/internal/ttlpolicy"
)

// Carrier places and extends holds with the airline.
type Carrier interface {
	Hold(ctx context.Context, q domain.Quote) (pnr string, deadline time.Time, err error)
	// Extend pushes the ticketing deadline back and returns the carrier's
	// record of the hold.
	Extend(ctx context.Context, pnr string) (domain.FareHold, error)
}

type Namespacer interface {
	Namespace() (*kv.Namespace, error)
}

type Handler struct {
	kvs     *storage.KV
	ns      Namespacer
	carrier Carrier
	cfg     config.Edge
	now     func() time.Time
}

func New(kvs *storage.KV, ns Namespacer, carrier Carrier, cfg config.Edge) *Handler {
	return &Handler{kvs: kvs, ns: ns, carrier: carrier, cfg: cfg, now: time.Now}
}

func (h *Handler) Register(mux *http.ServeMux) {
	mux.Handle("POST /quotes", mw.E(h.quote))
	mux.Handle("POST /holds", mw.E(h.hold))
	mux.Handle("POST /holds/{pnr}/extend", mw.E(h.extend))
	mux.Handle("POST /cart/items", mw.E(h.addToCart))
}

func quoteKey(id string) string { return "quote:" + id }
func holdKey(pnr string) string { return "hold:" + pnr }
func cartKey(uid string) string { return "cart:" + uid }

// quote prices the posted legs. Carriers guarantee a quoted fare for 45
// seconds; the cached quote lives exactly as long.
func (h *Handler) quote(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Segments []domain.Segment `json:"segments"`
		Fare     domain.Money     `json:"fare"`
	}
	if err := mw.DecodeJSON(r, &in); err != nil {
		return err
	}
	q := domain.Quote{ID: domain.NewID(8), Segments: in.Segments, Fare: in.Fare, ValidTill: h.now().Add(45 * time.Second)}
	if err := h.kvs.Entry(quoteKey(q.ID)).JSON(q).TTL(45 * time.Second).Put(r.Context()); err != nil { // EXPECT kvttl
		return err
	}
	return mw.WriteJSON(w, http.StatusCreated, q)
}

// hold places a carrier hold for a quote and mirrors it at the edge until
// the carrier's ticketing deadline.
func (h *Handler) hold(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	var in struct {
		QuoteID string `json:"quote_id"`
		TripID  string `json:"trip_id"`
	}
	if err := mw.DecodeJSON(r, &in); err != nil {
		return err
	}
	var q domain.Quote
	if err := h.kvs.GetJSON(ctx, quoteKey(in.QuoteID), &q); err != nil {
		return err
	}
	pnr, deadline, err := h.carrier.Hold(ctx, q)
	if err != nil {
		return err
	}
	sess, _ := mw.SessionFrom(ctx)
	fh := domain.FareHold{
		ID: domain.NewID(8), TripID: in.TripID, TravellerID: sess.TravellerID,
		Fare: q.Fare, PNR: pnr, ExpiresAt: deadline,
	}
	ns, err := h.ns.Namespace()
	if err != nil {
		return err
	}
	raw, _ := json.Marshal(fh)
	ttl := time.Until(fh.ExpiresAt) // EXPECT kvttl
	if err := ns.PutString(holdKey(fh.PNR), string(raw), &kv.PutOptions{ExpirationTTL: int(ttl.Seconds())}); err != nil {
		return err
	}
	return mw.WriteJSON(w, http.StatusCreated, fh)
}

// extend asks the carrier for more time and re-mirrors the hold from the
// carrier's answer. The stored copy is only read to check ownership.
func (h *Handler) extend(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	pnr := r.PathValue("pnr")
	var cur domain.FareHold
	if err := h.kvs.GetJSON(ctx, holdKey(pnr), &cur); err != nil {
		return err
	}
	if sess, _ := mw.SessionFrom(ctx); cur.TravellerID != sess.TravellerID {
		return domain.ErrForbidden
	}
	ext, err := h.carrier.Extend(ctx, pnr)
	if err != nil {
		return err
	}
	ttl := max(time.Until(ext.ExpiresAt)+h.cfg.HoldGrace(), ttlpolicy.Floor)
	if err := h.kvs.Entry(holdKey(pnr)).JSON(ext).TTL(ttl).Put(ctx); err != nil {
		return err
	}
	return mw.WriteJSON(w, http.StatusOK, ext)
}

func (h *Handler) addToCart(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	var item domain.CartItem
	if err := mw.DecodeJSON(r, &item); err != nil {
		return err
	}
	if item.Kind == "" || item.Ref == "" {
		return fmt.Errorf("%w: kind and ref are required", domain.ErrInvalidInput)
	}
	sess, _ := mw.SessionFrom(ctx)
	var c domain.Cart
	if err := h.kvs.GetJSON(ctx, cartKey(sess.TravellerID), &c); err != nil && !storage.IsNotFound(err) {
		return err
	}
	c.TravellerID = sess.TravellerID
	c.Items = append(c.Items, item)
	c.UpdatedAt = h.now()
	if err := h.kvs.Entry(cartKey(sess.TravellerID)).JSON(c).TTL(24 * time.Hour).Put(ctx); err != nil { // EXPECT kvsession
		return err
	}
	return mw.WriteJSON(w, http.StatusOK, c)
}
