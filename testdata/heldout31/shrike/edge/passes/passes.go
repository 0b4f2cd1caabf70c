//go:build js && wasm

// Package passes serves rider passes, trip quotes and promo redemption.
package passes

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"example.com/shrike/edge/kvx"
	"example.com/shrike/internal/bus"
	"example.com/shrike/internal/domain"
	"example.com/shrike/internal/httpx"
	"example.com/shrike/internal/ports"
	"example.com/shrike/internal/pricing"
	"example.com/shrike/internal/repo"
	"example.com/shrike/internal/tokens"
)

type Service struct {
	passes *repo.Repo[domain.Pass]
	riders *kvx.Namespace
	fares  *kvx.Cache
	origin func(ctx context.Context, path string) ([]byte, error)
	signer *tokens.Signer
	now    ports.Clock
	log    *slog.Logger

	// putMinutes writes usage counters; fixed to the riders namespace and a
	// lifetime long enough to outlast any monthly pass.
	putMinutes func(ctx context.Context, key string, v []byte) error
}

func New(passes *repo.Repo[domain.Pass], riders *kvx.Namespace, fares *kvx.Cache,
	origin func(ctx context.Context, path string) ([]byte, error), signer *tokens.Signer, log *slog.Logger) *Service {
	return &Service{
		passes: passes, riders: riders, fares: fares, origin: origin, signer: signer, now: time.Now, log: log,
		putMinutes: kvx.Writer(riders)(40 * 24 * time.Hour),
	}
}

type (
	QuoteTrip struct {
		PassID string    `json:"pass_id"`
		Zone   string    `json:"zone"`
		Start  time.Time `json:"start"`
		End    time.Time `json:"end"`
		Promo  string    `json:"promo"`
	}
	EndTrip struct {
		PassID string    `json:"pass_id"`
		Start  time.Time `json:"start"`
		End    time.Time `json:"end"`
	}
	RedeemPromo struct {
		Code    string `json:"code"`
		RiderID string `json:"rider_id"`
	}
	VerifyPass struct {
		Token string `json:"token"`
	}
)

func (s *Service) Register(b *bus.Bus, mux *http.ServeMux) {
	bus.Register(b, s.Quote)
	bus.Register(b, s.EndTrip)
	bus.Register(b, s.Redeem)
	bus.Register(b, s.Verify)
	mux.Handle("POST /trips/quote", bus.Handle(b, bus.JSONBody[QuoteTrip], httpx.StatusOf))
	mux.Handle("POST /trips/end", bus.Handle(b, bus.JSONBody[EndTrip], httpx.StatusOf))
	mux.Handle("POST /promos/redeem", bus.Handle(b, bus.JSONBody[RedeemPromo], httpx.StatusOf))
	mux.Handle("POST /passes/verify", bus.Handle(b, bus.JSONBody[VerifyPass], httpx.StatusOf))
}

// table returns the current fare table through the read-through cache.
func (s *Service) table(ctx context.Context) (pricing.Table, error) {
	raw, err := s.fares.GetOrLoad("fares:current", func() ([]byte, error) {
		return s.origin(ctx, "/fares/current")
	})
	if err != nil {
		return pricing.Standard(), nil
	}
	var t pricing.Table
	if err := json.Unmarshal(raw, &t); err != nil || t.Validate() != nil {
		s.log.Warn("bad fare table, using standard", "err", err)
		return pricing.Standard(), nil
	}
	return t, nil
}

type zoneRule struct {
	SurchargePct int  `json:"surcharge_pct"`
	Closed       bool `json:"closed"`
}

func (s *Service) Quote(ctx context.Context, c QuoteTrip) error {
	t, err := s.table(ctx)
	if err != nil {
		return err
	}
	trip := pricing.Trip{Start: c.Start, End: c.End, Zone: c.Zone}
	if c.PassID != "" {
		if p, err := s.passes.Get(ctx, c.PassID); err == nil {
			trip.Pass = &p
		} else if !errors.Is(err, ports.ErrNotFound) {
			return err
		}
	}
	if c.Zone != "" {
		raw, err := s.riders.Binding().GetString("fare:zone:"+c.Zone, nil) // EXPECT kvnull
		if err != nil {
			return err
		}
		var rule zoneRule
		if err := json.Unmarshal([]byte(raw), &rule); err != nil {
			return fmt.Errorf("zone %s: %w", c.Zone, err)
		}
		if rule.Closed {
			return fmt.Errorf("zone %s closed: %w", c.Zone, httpx.ErrForbidden)
		}
		if t.Zones == nil {
			t.Zones = map[string]int{}
		}
		t.Zones[c.Zone] = rule.SurchargePct
	}
	if c.Promo != "" {
		promo, err := s.lookupPromo(c.Promo)
		if err != nil {
			return err
		}
		if promo.Live(s.now()) {
			trip.PromoPct = promo.Percent
		}
	}
	bus.Reply(ctx, t.Price(trip))
	return nil
}

func (s *Service) lookupPromo(code string) (domain.Promo, error) {
	var p domain.Promo
	v, err := s.riders.Binding().GetString("promo:"+code, nil)
	if err != nil {
		return p, err
	}
	if len(v) == 0 { // EXPECT kvnull
		return p, fmt.Errorf("promo %s: %w", code, ports.ErrNotFound)
	}
	err = json.Unmarshal([]byte(v), &p)
	return p, err
}

// EndTrip books the trip's minutes against the pass allowance.
func (s *Service) EndTrip(ctx context.Context, c EndTrip) error {
	p, err := s.passes.Get(ctx, c.PassID)
	if err != nil {
		return err
	}
	if p.Minutes == 0 {
		return nil // unlimited pass
	}
	mins := int(c.End.Sub(c.Start).Round(time.Minute) / time.Minute)
	key := "quota:pass:" + p.ID + ":minutes"
	used := 0
	if v, ok, err := s.riders.Lookup(key); err != nil {
		return err
	} else if ok {
		used, _ = strconv.Atoi(v)
	}
	if err := s.putMinutes(ctx, key, []byte(strconv.Itoa(used+mins))); err != nil { // EXPECT kvcounter
		return err
	}
	bus.Reply(ctx, map[string]int{"used": used + mins, "included": p.Minutes})
	return nil
}

// Redeem applies a promo code for a rider, up to the promo's use limit.
func (s *Service) Redeem(ctx context.Context, c RedeemPromo) error {
	kv := s.riders.Binding()
	raw, ok, err := s.riders.Lookup("promo:" + c.Code)
	if err != nil {
		return err
	}
	if !ok {
		return fmt.Errorf("promo %s: %w", c.Code, ports.ErrNotFound)
	}
	var p domain.Promo
	if err := json.Unmarshal([]byte(raw), &p); err != nil {
		return err
	}
	if !p.Live(s.now()) {
		return fmt.Errorf("promo %s: %w", c.Code, httpx.ErrForbidden)
	}
	usesKey := "promo:" + c.Code + ":uses"
	n := 0
	if v, err := kv.GetString(usesKey, nil); err != nil {
		return err
	} else if v != kvx.Null {
		n, _ = strconv.Atoi(v)
	}
	if p.MaxUses > 0 && n >= p.MaxUses {
		return fmt.Errorf("promo %s used up: %w", c.Code, httpx.ErrConflict)
	}
	if err := kv.PutString(usesKey, strconv.Itoa(n+1), nil); err != nil { // EXPECT kvcounter
		return err
	}
	// Remember the redemption on the rider; distinct key per rider and code.
	return s.riders.Put("redeemed:"+c.RiderID+":"+c.Code, strconv.FormatInt(s.now().Unix(), 10), 0)
}

// Verify checks a pass token and caches its claims for the dock controllers,
// which look passes up by token id.
func (s *Service) Verify(ctx context.Context, c VerifyPass) error {
	claims, err := s.signer.Verify(c.Token)
	if err != nil {
		return fmt.Errorf("%w: %v", httpx.ErrForbidden, err)
	}
	exp := claims.Expires()
	if err := s.riders.PutJSON("passclaims:"+claims.ID, claims, time.Until(exp)); err != nil { // EXPECT kvttl
		return err
	}
	// The activation receipt outlives the claims cache by a little and is
	// never kept for less than KV's minimum.
	receipt := map[string]any{"pass": claims.Pass, "rider": claims.Subject, "at": s.now().Unix()}
	b, _ := json.Marshal(receipt)
	if err := s.riders.Put("receipt:"+claims.ID, string(b), max(time.Until(exp)+time.Hour, kvx.MinTTL)); err != nil {
		return err
	}
	bus.Reply(ctx, map[string]any{"rider": claims.Subject, "pass": claims.Pass, "expires": exp.Unix()})
	return nil
}

// OriginFetcher returns a function that GETs paths from the origin API.
func OriginFetcher(client tokens.Doer, base string) func(ctx context.Context, path string) ([]byte, error) {
	return func(ctx context.Context, path string) ([]byte, error) {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, base+path, nil)
		resp, err := client.Do(req)
		if err != nil {
			return nil, err
		}
		defer resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			return nil, fmt.Errorf("origin %s: %s", path, resp.Status)
		}
		return io.ReadAll(resp.Body)
	}
}
