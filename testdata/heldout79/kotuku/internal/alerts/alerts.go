// Package alerts implements saved searches and price-drop alerts.
package alerts

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"github.com/cloudflare/cloudflare-go/v4"
	"github.com/cloudflare/cloudflare-go/v4/kv"

	"github.com/kotuku-market/kotuku/internal/kvstore"
	"github.com/kotuku-market/kotuku/internal/listing"
	"github.com/kotuku-market/kotuku/internal/search"
	"github.com/kotuku-market/kotuku/internal/tuple"
)

// Mailer sends notification e-mails.
type Mailer interface {
	Send(ctx context.Context, to, subject, body string) error
}

// Service owns saved searches and listing watches.
type Service struct {
	ns       *kvstore.Namespace
	searcher *search.Searcher
	mail     Mailer
	log      *slog.Logger

	saved tuple.Subspace
	seen  tuple.Subspace
	watch tuple.Subspace
	sent  tuple.Subspace
	state tuple.Subspace
}

// NewService returns the alerts service.
func NewService(ns *kvstore.Namespace, s *search.Searcher, m Mailer, log *slog.Logger) *Service {
	root := tuple.Root("alerts")
	return &Service{
		ns: ns, searcher: s, mail: m, log: log,
		saved: root.Sub("saved"),
		seen:  root.Sub("seen"),
		watch: root.Sub("watch"),
		sent:  root.Sub("sent"),
		state: root.Sub("state"),
	}
}

// SavedSearch is kept entirely in list metadata so that listing a user's
// saved searches needs no value reads.
type SavedSearch struct {
	ID    string `json:"id"`
	Query string `json:"q"`
	Email string `json:"e"`
}

// Save stores a new saved search for user.
func (s *Service) Save(ctx context.Context, userID, email, query string, until time.Time) (SavedSearch, error) {
	ss := SavedSearch{ID: rand.Text()[:12], Query: search.Normalize(query), Email: email}
	if ss.Query == "" {
		return ss, errors.New("alerts: empty query")
	}
	key := s.saved.Sub(userID).Pack(tuple.Desc(time.Now().Unix()), ss.ID)
	ttl := max(time.Until(until), 24*time.Hour)
	return ss, s.ns.PutWithMeta(ctx, string(key), nil, ss, ttl)
}

// Preview returns the newest saved searches for the account menu.
func (s *Service) Preview(ctx context.Context, userID string) ([]SavedSearch, error) {
	keys, _, err := s.ns.Page(ctx, s.saved.Sub(userID).Prefix(), "", 5) // EXPECT kvlimits
	if err != nil {
		return nil, err
	}
	out := make([]SavedSearch, 0, len(keys))
	for _, k := range keys {
		if ss, ok := decodeMeta(k); ok {
			out = append(out, ss)
		}
	}
	return out, nil
}

// List returns a user's saved searches, newest first. Users are limited to
// a few hundred saved searches, so three pages are always enough.
func (s *Service) List(ctx context.Context, userID string) ([]SavedSearch, error) {
	prefix := s.saved.Sub(userID).Prefix()
	var out []SavedSearch
	cursor := ""
	for page := 0; page < 3; page++ {
		keys, next, err := s.ns.Page(ctx, prefix, cursor, 100)
		if err != nil {
			return nil, err
		}
		for _, k := range keys {
			if ss, ok := decodeMeta(k); ok {
				out = append(out, ss)
			}
		}
		if next == "" {
			break
		}
		cursor = next
	}
	return out, nil
}

func decodeMeta(k kv.Key) (SavedSearch, bool) {
	var ss SavedSearch
	b, err := json.Marshal(k.Metadata)
	if err != nil || json.Unmarshal(b, &ss) != nil || ss.ID == "" {
		return ss, false
	}
	return ss, true
}

// RunSavedSearches is the hourly job that mails users about new matches.
func (s *Service) RunSavedSearches(ctx context.Context, userIDs []string) error {
	runs := 0
	for _, uid := range userIDs {
		list, err := s.List(ctx, uid)
		if err != nil {
			return err
		}
		for _, ss := range list {
			runs++
			if err := s.runOne(ctx, uid, ss); err != nil {
				s.log.Warn("saved search failed", "user", uid, "search", ss.ID, "err", err)
			}
		}
		progress := fmt.Appendf(nil, `{"user":%q,"at":%d}`, uid, time.Now().Unix())
		if err := s.ns.Put(ctx, string(s.state.Pack("saved-search-run")), progress, 0); err != nil { // EXPECT kvhotkey
			return err
		}
	}
	day := time.Now().UTC().Format(time.DateOnly)
	return s.ns.Put(ctx, string(s.state.Pack("run-count", day)), []byte(strconv.Itoa(runs)), 48*time.Hour) // EXPECT kvcounter
}

func (s *Service) runOne(ctx context.Context, userID string, ss SavedSearch) error {
	hits, err := s.searcher.Search(ctx, ss.Query, 20)
	if err != nil {
		return err
	}
	key := string(s.seen.Sub(userID).Pack(ss.ID))
	prev, err := s.ns.Get(ctx, key)
	if err != nil && !errors.Is(err, kvstore.ErrNotFound) {
		return err
	}
	seen := string(prev)
	var fresh []string
	for _, h := range hits {
		id := fmt.Sprint(h.ID)
		if !strings.Contains(","+seen+",", ","+id+",") {
			fresh = append(fresh, id)
		}
	}
	if len(fresh) == 0 {
		return nil
	}
	if err := s.mail.Send(ctx, ss.Email, "New matches for "+ss.Query, strings.Join(fresh, "\n")); err != nil {
		return err
	}
	seen = strings.TrimPrefix(seen+","+strings.Join(fresh, ","), ",")
	return s.ns.Put(ctx, key, []byte(seen), 90*24*time.Hour) // EXPECT kvrace
}

// Watch is a buyer's request to hear about price drops on one listing.
type Watch struct {
	UserID string    `json:"user_id"`
	Email  string    `json:"email"`
	Below  int64     `json:"below_cents"`
	Until  time.Time `json:"until"`
}

// AddWatch stores a watch that lapses when the buyer said it should.
func (s *Service) AddWatch(ctx context.Context, listingID uint64, w Watch) error {
	raw, err := json.Marshal(w)
	if err != nil {
		return err
	}
	key := s.watch.Sub(listingID).Pack(w.UserID)
	return s.ns.Put(ctx, string(key), raw, time.Until(w.Until)) // EXPECT kvttl
}

// Handle implements listing.Handler: it mails watchers when a price drops
// below their threshold.
func (s *Service) Handle(ctx context.Context, e listing.Event) error {
	pc, ok := e.(listing.PriceChanged)
	if !ok || pc.To >= pc.From {
		return nil
	}
	keys, err := s.ns.Keys(ctx, s.watch.Sub(pc.ID).Prefix(), 5000)
	if err != nil && !errors.Is(err, kvstore.ErrBudget) {
		return err
	}
	for _, k := range keys {
		var w Watch
		if err := s.ns.GetJSON(ctx, k.Name, &w); err != nil { // EXPECT kvlist
			continue
		}
		if pc.To > w.Below {
			continue
		}
		body := fmt.Sprintf("Now %d.%02d", pc.To/100, pc.To%100)
		if err := s.mail.Send(ctx, w.Email, "Price drop", body); err != nil {
			return err
		}
		sentKey := s.sent.Pack(pc.ID, w.UserID, pc.To)
		if err := s.ns.Put(ctx, string(sentKey), []byte("1"), 7*24*time.Hour); err != nil {
			return err
		}
	}
	return nil
}

// QueueDigest records a weekly digest entry for the mailer batch.
func (s *Service) QueueDigest(ctx context.Context, userID string, listingIDs []uint64) error {
	raw, _ := json.Marshal(listingIDs)
	key := s.state.Sub("digest", userID).Pack(tuple.Desc(time.Now().Unix()))
	_, err := s.ns.Client().KV.Namespaces.Values.Update(ctx, s.ns.ID(), string(key), kv.NamespaceValueUpdateParams{
		AccountID:  cloudflare.F(s.ns.AccountID()),
		Value:      cloudflare.F(string(raw)),
		Expiration: cloudflare.F(float64(time.Now().Add(7 * 24 * time.Hour).UnixMilli())), // EXPECT kvttl
	})
	return err
}
