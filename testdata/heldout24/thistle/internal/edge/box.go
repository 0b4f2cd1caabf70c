//go:build js && wasm

package edge

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"time"

	"github.com/syumai/workers/cloudflare/kv"

	"example.com/thistle/internal/boxes"
	"example.com/thistle/internal/httpx"
	"example.com/thistle/internal/slots"
)

func slotZone(n int) slots.Zone { return slots.Zone(n) }

func randomID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

func (s *Server) box(w http.ResponseWriter, r *http.Request) {
	cart, err := s.boxes.Get(r.Context(), customer(r), s.week(r))
	if err != nil {
		httpx.Error(w, err)
		return
	}
	httpx.JSON(w, http.StatusOK, cart)
}

func (s *Server) choose(w http.ResponseWriter, r *http.Request) {
	var body struct {
		RecipeID string `json:"recipe_id"`
	}
	if err := httpx.Decode(r, &body); err != nil || body.RecipeID == "" {
		httpx.JSON(w, http.StatusBadRequest, map[string]string{"error": "recipe_id required"})
		return
	}
	cart, err := s.boxes.Choose(r.Context(), customer(r), s.week(r), body.RecipeID)
	switch err {
	case nil:
		httpx.JSON(w, http.StatusOK, cart)
	case boxes.ErrLocked, boxes.ErrFull:
		httpx.JSON(w, http.StatusConflict, map[string]string{"error": err.Error()})
	default:
		httpx.Error(w, err)
	}
}

func (s *Server) skip(w http.ResponseWriter, r *http.Request) {
	if err := s.boxes.Skip(r.Context(), customer(r), s.week(r)); err != nil {
		httpx.Error(w, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

type checkoutRequest struct {
	Week      string `json:"week"`
	WindowID  string `json:"window_id"`
	Zone      int    `json:"zone"`
	PromoCode string `json:"promo_code"`
}

type orderDraft struct {
	ID         string    `json:"id"`
	CustomerID string    `json:"customer_id"`
	Week       string    `json:"week"`
	WindowID   string    `json:"window_id"`
	PromoCode  string    `json:"promo_code"`
	CreatedAt  time.Time `json:"created_at"`
}

func (s *Server) checkout(w http.ResponseWriter, r *http.Request) {
	req, err := decodeJSON[checkoutRequest](r)
	if err != nil {
		httpx.JSON(w, http.StatusBadRequest, map[string]string{"error": err.Error()})
		return
	}
	ctx := r.Context()
	cid := customer(r)
	if req.PromoCode != "" {
		if err := s.promos.Redeem(ctx, req.PromoCode); err != nil {
			httpx.Error(w, err)
			return
		}
	}
	if err := s.slots.Hold(ctx, req.WindowID, cid, slots.HoldCheckout); err != nil {
		httpx.Error(w, err)
		return
	}
	draft := orderDraft{ID: randomID(), CustomerID: cid, Week: req.Week, WindowID: req.WindowID, PromoCode: req.PromoCode, CreatedAt: s.clock.Now()}
	b, _ := json.Marshal(draft)
	expires := s.clock.Now().Add(2 * time.Hour)
	if err := s.raw.PutString("order-draft/"+draft.ID, string(b), &kv.PutOptions{Expiration: int(expires.UnixMilli())}); err != nil { // EXPECT kvttl
		httpx.Error(w, err)
		return
	}
	if err := s.raw.PutString("order-draft-by-customer/"+cid, draft.ID, &kv.PutOptions{Expiration: int(expires.Unix())}); err != nil {
		httpx.Error(w, err)
		return
	}
	if err := s.raw.PutString("orders/latest-at", s.clock.Now().Format(time.RFC3339), nil); err != nil { // EXPECT kvhotkey
		httpx.Error(w, err)
		return
	}
	for _, fn := range s.onOrder {
		if err := fn(ctx, draft.ID); err != nil {
			httpx.Error(w, err)
			return
		}
	}
	httpx.JSON(w, http.StatusCreated, draft)
}

func (s *Server) addNote(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Note string `json:"note"`
	}
	if err := httpx.Decode(r, &body); err != nil || len(body.Note) > 280 {
		httpx.JSON(w, http.StatusBadRequest, map[string]string{"error": "note too long"})
		return
	}
	key := "delivery-notes/" + r.PathValue("order")
	appendNote := func(line string) error {
		old, err := s.ns.Get(r.Context(), key)
		if err != nil && !isMiss(err) {
			return err
		}
		next := line
		if len(old) > 0 {
			next = string(old) + "\n" + line
		}
		return s.ns.Put(r.Context(), key, []byte(next), storeTTL(30*24*time.Hour)) // EXPECT kvrace
	}
	stamp := s.clock.Now().Format("Jan 2 15:04")
	if err := appendNote(fmt.Sprintf("[%s] %s", stamp, body.Note)); err != nil {
		httpx.Error(w, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
