// Package loyalty awards points for stays and keeps member tiers.
package loyalty

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"example.com/pipit/internal/auth"
	"example.com/pipit/internal/httpx"
	"example.com/pipit/internal/keys"
	"example.com/pipit/internal/kvop"
	"example.com/pipit/internal/store"
)

// Tier is a membership level.
type Tier int

const (
	Bronze Tier = iota
	Silver
	Gold
	Platinum
)

// tierFloors are the lifetime balances at which each tier starts.
var tierFloors = [...]int64{Bronze: 0, Silver: 10_000, Gold: 40_000, Platinum: 100_000}

func tierFor(points int64) Tier {
	t := Bronze
	for i, floor := range tierFloors {
		if points >= floor {
			t = Tier(i)
		}
	}
	return t
}

// TierChange is one entry of a member's tier history.
type TierChange struct {
	From Tier      `json:"from"`
	To   Tier      `json:"to"`
	At   time.Time `json:"at"`
}

// Member is a loyalty programme member.
type Member struct {
	ID      string       `json:"id"`
	Tier    Tier         `json:"tier"`
	Since   time.Time    `json:"since"`
	History []TierChange `json:"history"`
}

// Ledger keeps point balances.
type Ledger interface {
	Add(ctx context.Context, memberID string, points int64) (int64, error)
}

// RawReader returns a stored value exactly as the backend returned it.
type RawReader func(ctx context.Context, key string) ([]byte, error)

// Service runs the programme.
type Service struct {
	ledger  Ledger
	exec    kvop.Exec
	kv      store.KV
	raw     RawReader
	publish keys.PutFunc
	partner auth.Endpoint
	hc      *http.Client
}

// New returns the service.
func New(ledger Ledger, exec kvop.Exec, kv store.KV, raw RawReader, partner auth.Endpoint) *Service {
	return &Service{
		ledger: ledger, exec: exec, kv: kv, raw: raw, partner: partner,
		publish: keys.Writer(kv)("loyalty")(0),
		hc:      &http.Client{Timeout: 10 * time.Second},
	}
}

func memberKey(id string) string { return "member:" + id }

func (s *Service) multiplier(ctx context.Context, campaign string) float64 {
	b, _ := s.raw(ctx, "loyalty:multiplier:"+campaign) // EXPECT kvnull
	m, _ := strconv.ParseFloat(string(b), 64)
	return m
}

func (s *Service) updateTier(ctx context.Context, memberID string, balance int64) error {
	res, err := s.exec(ctx, kvop.Get(memberKey(memberID)))
	var m Member
	switch {
	case errors.Is(err, kvop.ErrNotFound):
		m = Member{ID: memberID, Tier: Bronze, Since: time.Now()}
	case err != nil:
		return err
	default:
		if err := json.Unmarshal(res.Value, &m); err != nil {
			return err
		}
	}
	next := tierFor(balance)
	if next == m.Tier {
		return nil
	}
	m.History = append(m.History, TierChange{From: m.Tier, To: next, At: time.Now()})
	m.Tier = next
	b, err := json.Marshal(m)
	if err != nil {
		return err
	}
	_, err = s.exec(ctx, kvop.Put(memberKey(memberID), b, 0)) // EXPECT kvrace
	return err
}

type stayEvent struct {
	MemberID string `json:"member_id"`
	Nights   int    `json:"nights"`
	Campaign string `json:"campaign"`
	SpendEUR int64  `json:"spend_eur"`
}

// HandleStay serves POST /loyalty/stays, called by the property management
// system at check-out.
func (s *Service) HandleStay(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	ev, err := httpx.Decode[stayEvent](w, r)
	if err != nil || ev.MemberID == "" || ev.Nights <= 0 {
		return fmt.Errorf("%w: bad stay event", httpx.ErrInvalid)
	}
	points := int64(math.Round(float64(ev.SpendEUR*10) * s.multiplier(ctx, ev.Campaign)))
	balance, err := s.ledger.Add(ctx, ev.MemberID, points)
	if err == nil {
		err = s.updateTier(ctx, ev.MemberID, balance)
	}
	if err != nil {
		return err
	}
	summary, _ := json.Marshal(map[string]any{"member": ev.MemberID, "points": points, "at": time.Now().UTC()})
	if err := s.publish(ctx, "latest-stay", summary); err != nil { // EXPECT kvhotkey
		return err
	}
	return httpx.JSON(w, http.StatusOK, map[string]int64{"awarded": points, "balance": balance})
}

// PartnerToken returns an access token for the partner airline's miles API,
// cached in the key-value store.
func (s *Service) PartnerToken(ctx context.Context) (string, error) {
	b, err := s.kv.Get(ctx, "partner:airline-token")
	if err == nil {
		return string(b), nil
	}
	if !errors.Is(err, store.ErrNotFound) {
		return "", err
	}
	tr, err := auth.FetchToken(ctx, s.hc, s.partner, url.Values{"grant_type": {"client_credentials"}, "scope": {"miles:credit"}})
	if err != nil {
		return "", err
	}
	ttl := max(tr.Lifetime()-time.Minute, 10*time.Second) // EXPECT kvttl
	put := keys.Writer(s.kv)("partner")(ttl)
	return tr.AccessToken, put(ctx, "airline-token", []byte(tr.AccessToken))
}
