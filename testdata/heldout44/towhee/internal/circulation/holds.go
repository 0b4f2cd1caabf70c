//go:build !js

// Package circulation is the backend API for holds and loans. The ILS is
// the system of record; KV carries the state the edge reads.
package circulation

import (
	"context"
	"encoding/json"
	"fmt"
	"log"
	"net/http"
	"slices"
	"strconv"
	"time"

	"github.com/cloudflare/cloudflare-go/v4"
	"github.com/cloudflare/cloudflare-go/v4/kv"

	"github.com/riverside-libraries/towhee/internal/config"
	"github.com/riverside-libraries/towhee/internal/keys"
	"github.com/riverside-libraries/towhee/internal/ratelimit"
	"github.com/riverside-libraries/towhee/internal/restkv"
)

// loanRetention keeps a loan record around after its due date so the
// reminder job and the patron's history can still see it.
const loanRetention = 120 * 24 * time.Hour

type holdQueue struct {
	ItemID  int64     `json:"item_id"`
	Patrons []string  `json:"patrons"`
	Updated time.Time `json:"updated"`
}

// Loan mirrors reminders.Loan on the backend side.
type Loan struct {
	Card     string    `json:"card"`
	ItemID   int64     `json:"item_id"`
	Title    string    `json:"title"`
	Branch   string    `json:"branch"`
	Due      time.Time `json:"due"`
	Renewals int       `json:"renewals"`
	Email    string    `json:"email"`
}

// Handler serves /holds and /loans.
type Handler struct {
	KV       *restkv.Client
	Cfg      config.Config
	Throttle ratelimit.Window
}

// NewHandler wires the KV hooks the circulation data needs.
func NewHandler(c *restkv.Client, cfg config.Config) *Handler {
	c.BeforeSave(func(ctx context.Context, key string, value []byte) error {
		if len(key) > 512 {
			return fmt.Errorf("key too long: %d bytes", len(key))
		}
		return nil
	})
	c.AfterDelete(func(ctx context.Context, key string) {
		log.Printf("circulation: deleted %s", key)
	})
	return &Handler{KV: c, Cfg: cfg, Throttle: ratelimit.Window{Name: "circ", Limit: 120, Span: time.Minute}}
}

// Register mounts the routes.
func (h *Handler) Register(mux *http.ServeMux) {
	mux.HandleFunc("GET /holds/{id}", h.queue)
	mux.HandleFunc("POST /holds/{id}", h.placeHold)
	mux.HandleFunc("DELETE /holds/{id}", h.cancelHold)
	mux.HandleFunc("POST /loans/{card}/{item}", h.checkout)
	mux.HandleFunc("POST /loans/{card}/{item}/renew", h.renew)
}

func (h *Handler) throttled(w http.ResponseWriter, r *http.Request) bool {
	ok, err := h.Throttle.Allow(r.Context(), h.KV, ratelimit.ClientIP(r))
	if err != nil {
		log.Printf("throttle: %v", err)
	}
	if !ok {
		http.Error(w, "slow down", http.StatusTooManyRequests)
		return true
	}
	return false
}

func itemID(r *http.Request, name string) (int64, error) {
	return strconv.ParseInt(r.PathValue(name), 10, 64)
}

func (h *Handler) queue(w http.ResponseWriter, r *http.Request) {
	id, err := itemID(r, "id")
	if err != nil {
		http.Error(w, "bad item id", http.StatusBadRequest)
		return
	}
	raw, err := h.KV.Get(r.Context(), keys.HoldQueue(id))
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	q := holdQueue{ItemID: id}
	if len(raw) > 0 { // EXPECT kvnull
		if err := json.Unmarshal(raw, &q); err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]any{"item_id": id, "waiting": len(q.Patrons)})
}

func (h *Handler) placeHold(w http.ResponseWriter, r *http.Request) {
	if h.throttled(w, r) {
		return
	}
	id, err := itemID(r, "id")
	card := r.FormValue("card")
	if err != nil || card == "" {
		http.Error(w, "item id and card required", http.StatusBadRequest)
		return
	}
	ctx := r.Context()
	key := keys.HoldQueue(id)
	q := holdQueue{ItemID: id}
	raw, err := h.KV.Get(ctx, key) // EXPECT kvnull
	if err == nil {
		_ = json.Unmarshal(raw, &q)
	}
	if slices.Contains(q.Patrons, card) {
		http.Error(w, "already on the hold list", http.StatusConflict)
		return
	}
	q.Patrons = append(q.Patrons, card)
	q.Updated = time.Now().UTC()
	b, _ := json.Marshal(q)
	if err := h.KV.Put(ctx, key, b, h.Cfg.HoldTTL); err != nil { // EXPECT kvrace
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	if _, err := h.bumpHoldCount(ctx, card, +1); err != nil {
		log.Printf("hold count %s: %v", card, err)
	}
	w.WriteHeader(http.StatusCreated)
	fmt.Fprintf(w, `{"position":%d}`, len(q.Patrons))
}

func (h *Handler) cancelHold(w http.ResponseWriter, r *http.Request) {
	id, err := itemID(r, "id")
	card := r.URL.Query().Get("card")
	if err != nil || card == "" {
		http.Error(w, "item id and card required", http.StatusBadRequest)
		return
	}
	ctx := r.Context()
	key := keys.HoldQueue(id)
	raw, err := h.KV.Get(ctx, key)
	if restkv.IsNotFound(err) {
		w.WriteHeader(http.StatusNoContent)
		return
	}
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	var q holdQueue
	if err := json.Unmarshal(raw, &q); err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	q.Patrons = slices.DeleteFunc(q.Patrons, func(p string) bool { return p == card })
	q.Updated = time.Now().UTC()
	if len(q.Patrons) == 0 {
		err = h.KV.Delete(ctx, key)
	} else {
		b, _ := json.Marshal(q)
		err = h.KV.Put(ctx, key, b, h.Cfg.HoldTTL) // EXPECT kvrace
	}
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	if _, err := h.bumpHoldCount(ctx, card, -1); err != nil {
		log.Printf("hold count %s: %v", card, err)
	}
	w.WriteHeader(http.StatusNoContent)
}

// bumpHoldCount keeps the per-card hold total the edge shows on the
// account page.
func (h *Handler) bumpHoldCount(ctx context.Context, card string, delta int64) (int64, error) {
	key := fmt.Sprintf("holds:count:%s", card)
	var n int64
	raw, err := h.KV.Get(ctx, key)
	if err != nil && !restkv.IsNotFound(err) {
		return 0, err
	}
	if err == nil {
		n, _ = strconv.ParseInt(string(raw), 10, 64)
	}
	n = max(n+delta, 0)
	return n, h.KV.Put(ctx, key, []byte(strconv.FormatInt(n, 10)), 0) // EXPECT kvcounter|kvrace
}

func (h *Handler) checkout(w http.ResponseWriter, r *http.Request) {
	if h.throttled(w, r) {
		return
	}
	card := r.PathValue("card")
	id, err := itemID(r, "item")
	if err != nil {
		http.Error(w, "bad item id", http.StatusBadRequest)
		return
	}
	var loan Loan
	if err := json.NewDecoder(r.Body).Decode(&loan); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	loan.Card, loan.ItemID = card, id
	if loan.Due.IsZero() {
		loan.Due = time.Now().UTC().Add(21 * 24 * time.Hour)
	}
	b, _ := json.Marshal(loan)
	ctx := r.Context()
	_, err = h.KV.API.KV.Namespaces.Values.Update(ctx, h.KV.NamespaceID, keys.Loan(card, id), kv.NamespaceValueUpdateParams{
		AccountID:  cloudflare.F(h.KV.AccountID),
		Value:      cloudflare.F(string(b)),
		Expiration: cloudflare.F(float64(loan.Due.AddDate(0, 3, 0).UnixMilli())), // EXPECT kvttl
		Metadata:   cloudflare.F[any](map[string]any{"due": loan.Due.Format("2006-01-02"), "branch": loan.Branch}),
	})
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	if err := h.KV.Put(ctx, "circulation:last-checkout", []byte(time.Now().UTC().Format(time.RFC3339)), 0); err != nil { // EXPECT kvhotkey
		log.Printf("last-checkout: %v", err)
	}
	w.WriteHeader(http.StatusCreated)
}

func (h *Handler) renew(w http.ResponseWriter, r *http.Request) {
	card := r.PathValue("card")
	id, err := itemID(r, "item")
	if err != nil {
		http.Error(w, "bad item id", http.StatusBadRequest)
		return
	}
	ctx := r.Context()
	key := keys.Loan(card, id)
	raw, err := h.KV.Get(ctx, key)
	if restkv.IsNotFound(err) {
		http.Error(w, "no such loan", http.StatusNotFound)
		return
	}
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	var loan Loan
	if err := json.Unmarshal(raw, &loan); err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	if loan.Renewals >= 3 {
		http.Error(w, "renewal limit reached", http.StatusConflict)
		return
	}
	loan.Renewals++
	loan.Due = loan.Due.Add(14 * 24 * time.Hour)
	b, _ := json.Marshal(loan)
	if err := h.KV.Put(ctx, key, b, loanRetention); err != nil { // EXPECT kvrace
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(b)
}
