// Package shops holds the shops enrolled in the programme, their settings
// and campaign banners.
package shops

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"example.com/ledger/internal/consts"
	"example.com/ledger/internal/repo"
	"example.com/ledger/internal/storage"
)

// ErrQuotaExceeded is returned when a shop has used its monthly API calls.
var ErrQuotaExceeded = errors.New("shops: monthly quota exceeded")

// Shop is a merchant enrolled in the programme.
type Shop struct {
	ID              string    `json:"id"`
	Name            string    `json:"name"`
	Currency        string    `json:"currency"`
	PointsPerDollar int       `json:"points_per_dollar"`
	MonthlyQuota    int       `json:"monthly_quota"`
	Tags            []string  `json:"tags,omitempty"`
	CreatedAt       time.Time `json:"created_at"`
}

// Key returns the shop's storage key.
func (s Shop) Key() string { return consts.PrefixShop.Key(s.ID) }

// ProgramDefaults are applied to newly enrolled shops.
type ProgramDefaults struct {
	Currency         string `json:"currency"`
	PointsPerDollar  int    `json:"points_per_dollar"`
	MonthlyQuota     int    `json:"monthly_quota"`
	CardValidityDays int    `json:"card_validity_days"`
}

// Key returns the storage key of the single defaults record.
func (ProgramDefaults) Key() string { return consts.KeyProgramDefaults }

var builtinDefaults = ProgramDefaults{Currency: "USD", PointsPerDollar: 10, MonthlyQuota: 100000, CardValidityDays: 730}

// Campaign is a promotional banner shown on the customer page.
type Campaign struct {
	Headline   string    `json:"headline"`
	Multiplier int       `json:"multiplier"`
	EndsAt     time.Time `json:"ends_at"`
}

// Notice is an operational message shown to staff.
type Notice struct {
	Text  string    `json:"text"`
	Until time.Time `json:"until"`
}

// Directory manages shops.
type Directory struct {
	store    storage.Store
	shops    *repo.Repository[Shop]
	defaults *repo.Repository[ProgramDefaults]
	now      func() time.Time
}

// NewDirectory returns a Directory over store.
func NewDirectory(store storage.Store) *Directory {
	return &Directory{
		store:    store,
		shops:    repo.New[Shop](store, func(id string) string { return consts.PrefixShop.Key(id) }),
		defaults: repo.New[ProgramDefaults](store, func(string) string { return ProgramDefaults{}.Key() }),
		now:      time.Now,
	}
}

// Defaults returns the programme defaults, seeding them on first use.
func (d *Directory) Defaults(ctx context.Context) (ProgramDefaults, error) {
	def, err := d.defaults.Load(ctx, "") // EXPECT kvnull
	if err != nil {
		def = builtinDefaults
		if err := d.defaults.Save(ctx, def); err != nil {
			return def, err
		}
	}
	return def, nil
}

// Enroll registers a new shop with a generated ID.
func (d *Directory) Enroll(ctx context.Context, name string) (Shop, error) {
	def, err := d.Defaults(ctx)
	if err != nil {
		return Shop{}, err
	}
	var b [8]byte
	_, _ = rand.Read(b[:])
	s := Shop{
		ID: "s_" + hex.EncodeToString(b[:]), Name: strings.TrimSpace(name),
		Currency: def.Currency, PointsPerDollar: def.PointsPerDollar,
		MonthlyQuota: def.MonthlyQuota, CreatedAt: d.now().UTC(),
	}
	return s, d.shops.Save(ctx, s)
}

// Get loads a shop.
func (d *Directory) Get(ctx context.Context, id string) (Shop, error) {
	return d.shops.Load(ctx, id)
}

// Rename changes a shop's display name.
func (d *Directory) Rename(ctx context.Context, id, name string) (Shop, error) {
	return d.shops.Update(ctx, id, func(s *Shop) error {
		if name = strings.TrimSpace(name); name == "" {
			return errors.New("shops: empty name")
		}
		s.Name = name
		return nil
	})
}

// ReplaceSettings overwrites a shop's earning settings with the values
// submitted from the dashboard.
func (d *Directory) ReplaceSettings(ctx context.Context, s Shop) error {
	if s.PointsPerDollar < 0 || s.PointsPerDollar > 100 {
		return fmt.Errorf("shops: points per dollar %d out of range", s.PointsPerDollar)
	}
	return d.shops.Save(ctx, s)
}

// ConsumeQuota records one API call against the shop's monthly allowance.
func (d *Directory) ConsumeQuota(ctx context.Context, s Shop) error {
	month := d.now().UTC().Format("200601")
	key := consts.PrefixQuota.Key(s.ID, month)
	used := 0
	raw, err := d.store.Get(ctx, key)
	if err == nil {
		used, _ = strconv.Atoi(raw)
	} else if !storage.IsNotFound(err) {
		return err
	}
	if s.MonthlyQuota > 0 && used >= s.MonthlyQuota {
		return ErrQuotaExceeded
	}
	return d.store.Put(ctx, key, strconv.Itoa(used+1), storage.WithTTL(40*24*time.Hour)) // EXPECT kvcounter
}

// SetCampaign publishes a campaign banner until it ends.
func (d *Directory) SetCampaign(ctx context.Context, shopID string, c Campaign) error {
	if !c.EndsAt.After(d.now()) {
		return errors.New("shops: campaign already ended")
	}
	b, err := json.Marshal(c)
	if err != nil {
		return err
	}
	return d.store.Put(ctx, consts.PrefixCampaign.Key(shopID), string(b),
		storage.WithTTL(time.Until(c.EndsAt))) // EXPECT kvttl
}

// Campaign returns the live campaign, if any.
func (d *Directory) Campaign(ctx context.Context, shopID string) (Campaign, bool, error) {
	var c Campaign
	raw, err := d.store.Get(ctx, consts.PrefixCampaign.Key(shopID), storage.CacheFor(5*time.Minute))
	if storage.IsNotFound(err) {
		return c, false, nil
	}
	if err != nil {
		return c, false, err
	}
	return c, true, json.Unmarshal([]byte(raw), &c)
}

// PostNotice shows a message to staff until n.Until.
func (d *Directory) PostNotice(ctx context.Context, shopID string, n Notice) error {
	b, err := json.Marshal(n)
	if err != nil {
		return err
	}
	ttl := max(time.Until(n.Until), time.Minute)
	return d.store.Put(ctx, consts.PrefixShop.Key(shopID, "notice"), string(b), storage.WithTTL(ttl))
}

// AcceptTerms records which staff member accepted the current gift card
// terms for the shop.
func (d *Directory) AcceptTerms(ctx context.Context, shopID, staffID string) error {
	key := consts.PrefixShop.Key(shopID) + ":terms:" + consts.TermsText // EXPECT kvlimits
	return d.store.Put(ctx, key, staffID+" "+d.now().UTC().Format(time.RFC3339))
}

// Page lists one page of shop IDs for the admin console.
func (d *Directory) Page(ctx context.Context, cursor string, limit int) ([]string, string, error) {
	page, err := d.store.List(ctx, storage.ListQuery{
		Prefix: string(consts.PrefixShop) + ":",
		Cursor: cursor,
		Limit:  min(max(limit, 1), 1000),
	})
	if err != nil {
		return nil, "", err
	}
	ids := make([]string, 0, len(page.Keys))
	for _, k := range page.Keys {
		id := strings.TrimPrefix(k, string(consts.PrefixShop)+":")
		if !strings.Contains(id, ":") {
			ids = append(ids, id)
		}
	}
	next := page.Cursor
	if page.Complete {
		next = ""
	}
	return ids, next, nil
}
