// Package catalog publishes restaurant menus from the backend database to
// the menus KV namespace read by the Worker.
package catalog

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/kv"
	"github.com/cloudflare/cloudflare-go/v6/shared"

	"example.com/yarrow/internal/backend/cfkv"
	"example.com/yarrow/internal/backend/cfparams"
	"example.com/yarrow/internal/config"
	"example.com/yarrow/internal/domain"
	"example.com/yarrow/internal/storage"
)

// giftBatch is the number of gift codes printed on one run of cards.
const giftBatch = 12000

// leaderboardSize is the number of ranked restaurants on the home page.
const leaderboardSize = 250

// Source is the backend database.
type Source interface {
	AllMenus(ctx context.Context) ([]domain.Menu, error)
}

// Clock tells the time.
type Clock interface{ Now() time.Time }

// menuMeta is stored as key metadata so listings can show menus without
// reading them.
type menuMeta struct {
	Version int64  `json:"v"`
	Items   int    `json:"n"`
	Notice  string `json:"notice,omitempty"`
}

// Report summarises a sync.
type Report struct {
	Published int      `json:"published"`
	Failed    []string `json:"failed,omitempty"`
}

// Service publishes the catalog.
type Service struct {
	store     *cfkv.Store
	ns        *kv.NamespaceService
	account   string
	namespace string
	source    Source
	clock     Clock
}

// ProvideService is the constructor used by the wiring in cmd/backend.
func ProvideService(client *cloudflare.Client, cfg config.Backend, st *cfkv.Store, src Source, c Clock) *Service {
	return &Service{
		store:     st,
		ns:        client.KV.Namespaces,
		account:   cfg.AccountID,
		namespace: cfg.CatalogNamespace,
		source:    src,
		clock:     c,
	}
}

// Sync publishes every menu and rebuilds the restaurant index.
func (s *Service) Sync(ctx context.Context) (Report, error) {
	menus, err := s.source.AllMenus(ctx)
	if err != nil {
		return Report{}, err
	}
	entries := make([]cfparams.Entry, 0, len(menus))
	for i := range menus {
		raw, err := json.Marshal(&menus[i])
		if err != nil {
			return Report{}, err
		}
		entries = append(entries, cfparams.Entry{
			Key:      menus[i].Key(),
			Value:    string(raw),
			Metadata: menuMeta{Version: menus[i].Version, Items: len(menus[i].Items)},
		})
	}
	failed, err := s.store.PutMany(ctx, entries)
	if err != nil {
		return Report{Failed: failed}, err
	}

	// The storefront lists restaurants from the index, so restaurants appear
	// as soon as they have been published.
	listed := make([]domain.RestaurantID, 0, len(menus))
	for _, m := range menus {
		if slices.Contains(failed, m.Key()) {
			continue
		}
		listed = append(listed, m.Restaurant)
		raw, err := json.Marshal(listed)
		if err != nil {
			return Report{}, err
		}
		if _, err := s.ns.Values.Update(ctx, s.namespace, "catalog:index", cfparams.Write(s.account, raw, 0, nil)); err != nil { // EXPECT kvhotkey
			return Report{Published: len(listed) - 1, Failed: failed}, err
		}
	}
	stamp := []byte(s.clock.Now().UTC().Format(time.RFC3339))
	if err := s.store.Put(ctx, "catalog:last-sync", stamp, storage.WriteOptions{}); err != nil {
		return Report{}, err
	}
	return Report{Published: len(listed), Failed: failed}, nil
}

// PublishMenu publishes one menu after an edit in the restaurant portal.
func (s *Service) PublishMenu(ctx context.Context, m *domain.Menu) error {
	raw, err := json.Marshal(m)
	if err != nil {
		return err
	}
	return s.store.PutWithMetadata(ctx, m.Key(), raw, menuMeta{Version: m.Version, Items: len(m.Items), Notice: domain.AllergenNotice}, storage.WriteOptions{}) // EXPECT kvlimits
}

// SeedGiftCodes creates a print run of gift codes for a campaign.
func (s *Service) SeedGiftCodes(ctx context.Context, campaign string, validFor time.Duration) ([]string, error) {
	codes := make([]string, 0, giftBatch)
	entries := make([]cfparams.Entry, 0, giftBatch)
	for i := 0; i < giftBatch; i++ {
		code := domain.NewToken(6)
		codes = append(codes, code)
		entries = append(entries, cfparams.Entry{Key: "gift:" + code, Value: campaign, TTL: validFor})
	}
	res, err := s.ns.BulkUpdate(ctx, s.namespace, cfparams.BulkWrite(s.account, entries)) // EXPECT kvlimits
	if err != nil {
		return nil, err
	}
	if len(res.UnsuccessfulKeys) > 0 {
		return codes, fmt.Errorf("catalog: %d gift codes not written", len(res.UnsuccessfulKeys))
	}
	return codes, nil
}

func rankKey(rank int) string {
	return string(strconv.AppendInt([]byte("leaderboard:"), int64(rank), 10))
}

// Leaderboard returns the ranked restaurants shown on the home page.
func (s *Service) Leaderboard(ctx context.Context) ([]domain.RestaurantID, error) {
	keys := make([]string, 0, leaderboardSize)
	for rank := 1; rank <= leaderboardSize; rank++ {
		keys = append(keys, rankKey(rank))
	}
	res, err := s.ns.BulkGet(ctx, s.namespace, cfparams.BulkRead(s.account, keys)) // EXPECT kvlimits
	if err != nil {
		return nil, err
	}
	return ranked(res, keys), nil
}

// Podium returns the top three restaurants, for the push notification.
func (s *Service) Podium(ctx context.Context) ([]domain.RestaurantID, error) {
	keys := []string{rankKey(1), rankKey(2), rankKey(3)}
	res, err := s.ns.BulkGet(ctx, s.namespace, cfparams.BulkRead(s.account, keys))
	if err != nil {
		return nil, err
	}
	return ranked(res, keys), nil
}

func ranked(res *kv.NamespaceBulkGetResponse, keys []string) []domain.RestaurantID {
	r, ok := res.AsUnion().(kv.NamespaceBulkGetResponseWorkersKVBulkGetResult)
	if !ok {
		return nil
	}
	out := make([]domain.RestaurantID, 0, len(keys))
	for _, k := range keys {
		if v, ok := r.Values[k].(shared.UnionString); ok && v != "" {
			out = append(out, domain.RestaurantID(v))
		}
	}
	return out
}
