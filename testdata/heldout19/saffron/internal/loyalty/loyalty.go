// Package loyalty awards guest loyalty points. Balances live in the ledger;
// the edge store holds a tier projection for fast reads at the host stand.
package loyalty

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"example.com/saffron/internal/config"
	"example.com/saffron/internal/keys"
	"example.com/saffron/internal/store"
)

var now = time.Now

// Ledger is the authoritative balance store.
type Ledger interface {
	Credit(ctx context.Context, member string, points int64, reason string) (int64, error)
	Balance(ctx context.Context, member string) (int64, error)
}

// Tier is a loyalty level.
type Tier string

const (
	Bronze Tier = "bronze"
	Silver Tier = "silver"
	Gold   Tier = "gold"
)

// TierFor maps a balance to a tier.
func TierFor(points int64) Tier {
	switch {
	case points >= 5000:
		return Gold
	case points >= 1500:
		return Silver
	default:
		return Bronze
	}
}

// TierView is the projection stored at the edge.
type TierView struct {
	Tier   Tier      `json:"tier"`
	Points int64     `json:"points"`
	AsOf   time.Time `json:"as_of"`
}

// Service awards points.
type Service struct {
	rw     store.ReadWriter
	lister store.Lister
	ledger Ledger
	cfg    func() *config.Config
}

// New returns a loyalty service.
func New(rw store.ReadWriter, l store.Lister, ledger Ledger, cfg func() *config.Config) *Service {
	return &Service{rw: rw, lister: l, ledger: ledger, cfg: cfg}
}

// Earn credits points for a paid bill and refreshes the tier projection.
func (s *Service) Earn(ctx context.Context, member keys.Member, billCents int64) (TierView, error) {
	if billCents <= 0 {
		return TierView{}, fmt.Errorf("loyalty: bill must be positive")
	}
	balance, err := s.ledger.Credit(ctx, string(member), billCents/100, "visit")
	if err != nil {
		return TierView{}, err
	}
	view := TierView{Tier: TierFor(balance), Points: balance, AsOf: now().UTC()}
	if err := store.PutJSON(ctx, s.rw, member.Tier(), view, store.SecondsOf(time.Hour)); err != nil {
		return TierView{}, err
	}
	return view, nil
}

// AwardVisitBonus adds the flat visit bonus to the balance shown on the
// host-stand tablets.
func (s *Service) AwardVisitBonus(ctx context.Context, member keys.Member) (int64, error) {
	var balance int64
	raw, err := s.rw.Get(ctx, member.Balance())
	switch {
	case errors.Is(err, store.ErrNotFound):
	case err != nil:
		return 0, err
	default:
		balance, err = strconv.ParseInt(string(raw), 10, 64)
		if err != nil {
			return 0, fmt.Errorf("loyalty: corrupt balance for %s: %w", member, err)
		}
	}
	balance += s.cfg().VisitBonus
	if err := s.rw.Put(ctx, member.Balance(), []byte(strconv.FormatInt(balance, 10)), 0); err != nil { // EXPECT kvcounter
		return 0, err
	}
	return balance, nil
}

// ExportTiers writes the ID of every member with a tier projection, one per
// line, for the marketing export.
func (s *Service) ExportTiers(ctx context.Context, w io.Writer) (int, error) {
	const prefix = "loyalty:tier:"
	cursor := ""
	n := 0
	for {
		page, err := s.lister.List(ctx, store.Query{Prefix: prefix, Cursor: cursor, Limit: 1000}) // EXPECT kvlist
		if err != nil {
			return n, err
		}
		if len(page.Keys) == 0 {
			break
		}
		for _, k := range page.Keys {
			if _, err := fmt.Fprintln(w, strings.TrimPrefix(k.Name, prefix)); err != nil {
				return n, err
			}
			n++
		}
		cursor = page.Cursor
	}
	return n, nil
}
