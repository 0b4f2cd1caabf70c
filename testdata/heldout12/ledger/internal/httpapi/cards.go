//go:build js && wasm

package httpapi

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/syumai/workers/cloudflare"
	"github.com/syumai/workers/cloudflare/fetch"

	"example.com/ledger/internal/audit"
	"example.com/ledger/internal/consts"
	"example.com/ledger/internal/ledger/giftcard"
	"example.com/ledger/internal/shops"
)

func (s *server) issueCards(c call) (int, any, error) {
	var body struct {
		Count  int    `json:"count"`
		Amount string `json:"amount"`
	}
	if err := c.decode(&body); err != nil {
		return 0, nil, err
	}
	amount, err := c.amount(body.Amount)
	if err != nil {
		return 0, nil, err
	}
	cards, err := s.cards.IssueBatch(c.ctx(), c.sess.ShopID, max(body.Count, 1), amount)
	return http.StatusCreated, map[string]any{"cards": cards}, err
}

func (s *server) claimCard(c call) (int, any, error) {
	var body struct {
		Code   string `json:"code"`
		Amount string `json:"amount"`
	}
	if err := c.decode(&body); err != nil {
		return 0, nil, err
	}
	amount, err := c.amount(body.Amount)
	if err != nil {
		return 0, nil, err
	}
	card, err := s.cards.ClaimCode(c.ctx(), c.sess.ShopID, body.Code, amount)
	return http.StatusCreated, card, err
}

// card backs the public balance page.
func (s *server) card(c call) (int, any, error) {
	code, err := giftcard.NormalizeCode(c.path("code"))
	if err != nil {
		return 0, nil, err
	}
	v, err := s.kv.GetString(consts.PrefixCard.Key(code), &cloudflare.KVNamespaceGetOptions{CacheTTL: 60})
	if err != nil {
		return 0, nil, err
	}
	if v == "" { // EXPECT kvnull
		return 0, nil, giftcard.ErrNotFound
	}
	var card giftcard.Card
	if err := json.Unmarshal([]byte(v), &card); err != nil {
		return 0, nil, err
	}
	return http.StatusOK, map[string]any{"balance": card.Balance.String(), "status": card.Status, "expires_at": card.ExpiresAt}, nil
}

// hold reserves part of a card balance for an in-progress online checkout
// so the storefront can show it as pending.
func (s *server) hold(c call) (int, any, error) {
	var body struct {
		Amount string `json:"amount"`
		Order  string `json:"order"`
	}
	if err := c.decode(&body); err != nil {
		return 0, nil, err
	}
	code, err := giftcard.NormalizeCode(c.path("code"))
	if err != nil {
		return 0, nil, err
	}
	var id [8]byte
	_, _ = rand.Read(id[:])
	holdID := hex.EncodeToString(id[:])
	b, _ := json.Marshal(map[string]string{"order": body.Order, "amount": body.Amount})
	err = s.kv.PutString(consts.PrefixHold.Key(code, holdID), string(b), &cloudflare.KVNamespacePutOptions{
		Expiration: int(time.Now().Add(consts.QuoteWindow).Unix()), // EXPECT kvttl
	})
	return http.StatusCreated, map[string]string{"hold": holdID}, err
}

func (s *server) redeemCard(c call) (int, any, error) {
	var body struct {
		Amount string `json:"amount"`
	}
	if err := c.decode(&body); err != nil {
		return 0, nil, err
	}
	amount, err := c.amount(body.Amount)
	if err != nil {
		return 0, nil, err
	}
	code, err := giftcard.NormalizeCode(c.path("code"))
	if err != nil {
		return 0, nil, err
	}
	card, err := s.cards.Redeem(c.ctx(), code, amount)
	if err != nil {
		return 0, nil, err
	}
	ev := audit.Event{At: time.Now().UTC(), Actor: c.sess.StaffID, ShopID: c.sess.ShopID, Action: "card.redeem", Subject: code,
		Detail: map[string]string{"amount": amount.String(), "balance": card.Balance.String()}}
	_ = s.audit.Record(c.ctx(), ev)
	b, _ := json.Marshal(ev)
	if err := s.events.Put(c.ctx(), consts.KeyLastEvent, string(b)); err != nil { // EXPECT kvhotkey
		s.log.Warn("last event", "err", err)
	}
	return http.StatusOK, card, nil
}

func (s *server) renameShop(c call) (int, any, error) {
	var body struct {
		Name string `json:"name"`
	}
	if err := c.decode(&body); err != nil {
		return 0, nil, err
	}
	shop, err := s.shops.Rename(c.ctx(), c.path("shop"), body.Name)
	return http.StatusOK, shop, err
}

// putSettings stores the settings form as submitted by the dashboard, which
// always sends the complete record.
func (s *server) putSettings(c call) (int, any, error) {
	var shop shops.Shop
	if err := c.decode(&shop); err != nil {
		return 0, nil, err
	}
	shop.ID = c.path("shop")
	return http.StatusOK, shop, s.shops.ReplaceSettings(c.ctx(), shop)
}

func (s *server) enroll(c call) (int, any, error) {
	if err := s.requireAdmin(c); err != nil {
		return 0, nil, err
	}
	var body struct {
		Name string `json:"name"`
	}
	if err := c.decode(&body); err != nil || body.Name == "" {
		return 0, nil, badRequest("name required")
	}
	shop, err := s.shops.Enroll(c.ctx(), body.Name)
	return http.StatusCreated, shop, err
}

func (s *server) putNotice(c call) (int, any, error) {
	var n shops.Notice
	if err := c.decode(&n); err != nil {
		return 0, nil, err
	}
	return http.StatusNoContent, nil, s.shops.PostNotice(c.ctx(), c.path("shop"), n)
}

func (s *server) putCampaign(c call) (int, any, error) {
	var camp shops.Campaign
	if err := c.decode(&camp); err != nil {
		return 0, nil, err
	}
	return http.StatusNoContent, nil, s.shops.SetCampaign(c.ctx(), c.path("shop"), camp)
}

func (s *server) acceptTerms(c call) (int, any, error) {
	return http.StatusNoContent, nil, s.shops.AcceptTerms(c.ctx(), c.path("shop"), c.sess.StaffID)
}

func (s *server) rates(c call) (int, any, error) {
	cur := strings.ToUpper(c.path("currency"))
	if len(cur) != 3 {
		return 0, nil, badRequest("bad currency")
	}
	key := consts.PrefixRates.Key(cur)
	if !c.r.URL.Query().Has("refresh") {
		v, err := s.cache.Get(c.ctx(), key)
		return http.StatusOK, json.RawMessage(v), err
	}
	// Forced refresh from the dashboard after a rate dispute.
	v, err := s.fetchRate(c.ctx(), key)
	if err == nil {
		err = s.cache.Set(c.ctx(), key, v, consts.RatesCacheFor)
	}
	return http.StatusOK, json.RawMessage(v), err
}

// fetchRate loads exchange rates from the upstream provider.
func (s *server) fetchRate(ctx context.Context, key string) (string, error) {
	cur := strings.TrimPrefix(key, string(consts.PrefixRates)+":")
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "https://api.frankfurter.app/latest?from="+cur, nil)
	if err != nil {
		return "", err
	}
	res, err := fetch.NewClient().HTTPClient(fetch.RedirectModeFollow).Do(req)
	if err != nil {
		return "", err
	}
	defer res.Body.Close()
	b, err := io.ReadAll(io.LimitReader(res.Body, 64<<10))
	if err != nil {
		return "", err
	}
	if res.StatusCode != http.StatusOK || !json.Valid(b) {
		return "", fmt.Errorf("rates upstream: %s", res.Status)
	}
	return string(b), nil
}

func (s *server) terms(c call) (int, any, error) {
	accepted, err := s.cache.GetWith(c.ctx(), consts.TermsKey, func(context.Context, string) (string, error) { // EXPECT kvlimits
		return time.Now().UTC().Format(time.DateOnly), nil
	})
	return http.StatusOK, map[string]string{"terms": consts.TermsText, "effective": accepted}, err
}
