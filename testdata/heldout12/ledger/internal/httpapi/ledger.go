//go:build js && wasm

package httpapi

import (
	"encoding/csv"
	"encoding/json"
	"errors"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/syumai/workers/cloudflare"

	"example.com/ledger/internal/consts"
	"example.com/ledger/internal/ledger/points"
	"example.com/ledger/internal/money"
)

func (s *server) earn(c call) (int, any, error) {
	var body struct {
		Amount string `json:"amount"`
		Ref    string `json:"ref"`
	}
	if err := c.decode(&body); err != nil {
		return 0, nil, err
	}
	amount, err := c.amount(body.Amount)
	if err != nil {
		return 0, nil, err
	}
	shop, err := s.shops.Get(c.ctx(), c.sess.ShopID)
	if err != nil {
		return 0, nil, err
	}
	if err := s.shops.ConsumeQuota(c.ctx(), shop); err != nil {
		return 0, nil, err
	}
	acct, err := s.points.Earn(c.ctx(), shop.ID, c.path("cust"), amount, body.Ref)
	if err != nil {
		return 0, nil, err
	}
	if err := s.kv.PutString(consts.KeyLastActivity, time.Now().UTC().Format(time.RFC3339), nil); err != nil { // EXPECT kvhotkey
		s.log.Warn("last activity", "err", err)
	}
	return http.StatusOK, acct, nil
}

func (s *server) balance(c call) (int, any, error) {
	acct, err := s.points.Balance(c.ctx(), c.path("shop"), c.path("cust"))
	if errors.Is(err, points.ErrNoAccount) {
		return http.StatusOK, points.Account{ShopID: c.path("shop"), CustomerID: c.path("cust")}, nil
	}
	return http.StatusOK, acct, err
}

func (s *server) statement(c call) (int, any, error) {
	limit, _ := strconv.Atoi(c.query("limit"))
	txns, err := s.points.Statement(c.ctx(), c.path("shop"), c.path("cust"), limit)
	return http.StatusOK, map[string]any{"transactions": txns}, err
}

func (s *server) quote(c call) (int, any, error) {
	var body struct {
		Points int64 `json:"points"`
	}
	if err := c.decode(&body); err != nil || body.Points <= 0 {
		return 0, nil, badRequest("invalid points")
	}
	// 100 points buy one unit of currency.
	q, err := s.points.NewQuote(c.ctx(), c.sess.ShopID, c.path("cust"), body.Points, money.Cents(body.Points))
	return http.StatusCreated, q, err
}

// customer is the profile a shop keeps about a loyalty member.
type customer struct {
	ID        string    `json:"id"`
	Name      string    `json:"name"`
	Email     string    `json:"email,omitempty"`
	Tags      []string  `json:"tags,omitempty"`
	UpdatedAt time.Time `json:"updated_at"`
}

func (s *server) profile(c call) (int, any, error) {
	var cust customer
	if err := readJSON(s.kv, consts.PrefixCustomer.Key(c.path("shop"), c.path("cust")), &cust); err != nil {
		return 0, nil, err
	}
	notes, err := s.trail.Read(c.ctx(), c.path("shop"), cust.ID)
	return http.StatusOK, map[string]any{"customer": cust, "notes": notes}, err
}

func (s *server) tag(c call) (int, any, error) {
	var body struct {
		Tag string `json:"tag"`
	}
	if err := c.decode(&body); err != nil || strings.TrimSpace(body.Tag) == "" {
		return 0, nil, badRequest("invalid tag")
	}
	key := consts.PrefixCustomer.Key(c.path("shop"), c.path("cust"))
	v, err := s.kv.GetString(key, nil)
	if err != nil {
		return 0, nil, err
	}
	cust := customer{ID: c.path("cust")}
	if v != nullText {
		if err := json.Unmarshal([]byte(v), &cust); err != nil {
			return 0, nil, err
		}
	}
	tag := strings.ToLower(strings.TrimSpace(body.Tag))
	if !slices.Contains(cust.Tags, tag) {
		cust.Tags = append(cust.Tags, tag)
	}
	cust.UpdatedAt = time.Now().UTC()
	b, _ := json.Marshal(cust)
	if err := s.kv.PutString(key, string(b), nil); err != nil { // EXPECT kvrace
		return 0, nil, err
	}
	return http.StatusOK, cust, nil
}

func (s *server) note(c call) (int, any, error) {
	var body struct {
		Text string `json:"text"`
	}
	if err := c.decode(&body); err != nil || body.Text == "" {
		return 0, nil, badRequest("empty note")
	}
	return http.StatusNoContent, nil, s.trail.Append(c.ctx(), c.sess.ShopID, c.path("cust"), c.sess.StaffID, body.Text)
}

// customers returns one page of customer IDs; pass next_cursor back to
// continue.
func (s *server) customers(c call) (int, any, error) {
	prefix := consts.PrefixCustomer.Key(c.path("shop")) + ":"
	res, err := s.kv.List(&cloudflare.KVNamespaceListOptions{Prefix: prefix, Cursor: c.query("cursor"), Limit: 100})
	if err != nil {
		return 0, nil, err
	}
	ids := make([]string, 0, len(res.Keys))
	for _, k := range res.Keys {
		ids = append(ids, strings.TrimPrefix(k.Name, prefix))
	}
	next := ""
	if !res.ListComplete {
		next = res.Cursor
	}
	return http.StatusOK, map[string]any{"customers": ids, "next_cursor": next}, nil
}

type exportHandler struct{ *server }

// ServeHTTP serves the dashboard's "download members" CSV.
func (h *exportHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if _, err := h.authenticate(r); err != nil {
		h.writeErr(w, err)
		return
	}
	prefix := consts.PrefixCustomer.Key(r.PathValue("shop")) + ":"
	res, err := h.kv.List(&cloudflare.KVNamespaceListOptions{Prefix: prefix}) // EXPECT kvlist
	if err != nil {
		h.writeErr(w, err)
		return
	}
	w.Header().Set("Content-Type", "text/csv")
	w.Header().Set("Content-Disposition", `attachment; filename="members.csv"`)
	cw := csv.NewWriter(w)
	_ = cw.Write([]string{"customer_id", "expires"})
	for _, k := range res.Keys {
		exp := ""
		if k.Expiration > 0 {
			exp = time.Unix(int64(k.Expiration), 0).UTC().Format(time.RFC3339)
		}
		_ = cw.Write([]string{strings.TrimPrefix(k.Name, prefix), exp})
	}
	cw.Flush()
}

// multiplier returns the shop's current earn multiplier for the till display.
func (s *server) multiplier(c call) (int, any, error) {
	v, err := s.kv.GetString(consts.PrefixMultiplier.Key(c.path("shop")), nil) // EXPECT kvnull
	if err != nil {
		return 0, nil, err
	}
	m, err := strconv.Atoi(v)
	return http.StatusOK, map[string]int{"multiplier": m}, err
}
