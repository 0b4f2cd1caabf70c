// Package subscriptions manages premium subscriptions: payment-provider
// webhooks, private feed tokens and listener libraries.
package subscriptions

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"time"

	"starling/internal/keys"
	"starling/internal/kvrest"
	"starling/internal/retry"
)

const (
	subRoot        keys.Key = "sub"
	feedTokenRoot  keys.Key = "feed-token"
	libraryRoot    keys.Key = "library"
	prefsRoot      keys.Key = "prefs"
	webhookRoot    keys.Key = "webhook"
	lastWebhookKey          = "webhook:last-received"

	gracePeriod = 72 * time.Hour
)

// ErrNotEntitled is returned for a private feed token that grants nothing.
var ErrNotEntitled = errors.New("subscriptions: not entitled")

// Service handles subscriptions.
type Service struct {
	kv     *kvrest.Instrumented
	log    *slog.Logger
	secret []byte
}

// New returns a service.
func New(kv *kvrest.Instrumented, log *slog.Logger, webhookSecret []byte) *Service {
	return &Service{kv: kv, log: log, secret: webhookSecret}
}

// Subscription is a listener's premium access to one show.
type Subscription struct {
	Listener  string    `json:"listener"`
	Show      string    `json:"show"`
	Plan      string    `json:"plan"`
	FeedToken string    `json:"feed_token"`
	Until     time.Time `json:"until"`
}

func newToken() string {
	b := make([]byte, 20)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

func subKey(listener, show string) string { return subRoot.With(listener).With(show).String() }

// HandleWebhook receives payment-provider events. The provider retries until
// it gets a 2xx, so events are de-duplicated by ID.
func (s *Service) HandleWebhook(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	mac := hmac.New(sha256.New, s.secret)
	mac.Write(body)
	var ev struct {
		ID, Type, Listener, Show, Plan string
		Until                          time.Time `json:"period_end"`
	}
	if !hmac.Equal([]byte(hex.EncodeToString(mac.Sum(nil))), []byte(r.Header.Get("X-Signature"))) || json.Unmarshal(body, &ev) != nil {
		http.Error(w, "bad request", http.StatusBadRequest)
		return
	}
	ctx := r.Context()
	if err := s.kv.Put(ctx, lastWebhookKey, []byte(time.Now().UTC().Format(time.RFC3339))); err != nil { // EXPECT kvhotkey
		s.log.Warn("webhook heartbeat", "err", err)
	}
	idem := webhookRoot.With(ev.ID).String()
	if _, err := s.kv.Get(ctx, idem); err == nil {
		return
	} else if !errors.Is(err, kvrest.ErrNotFound) {
		http.Error(w, "kv unavailable", http.StatusServiceUnavailable)
		return
	}
	var err error
	switch ev.Type {
	case "subscription.created", "subscription.renewed":
		err = s.activate(ctx, Subscription{Listener: ev.Listener, Show: ev.Show, Plan: ev.Plan, FeedToken: newToken(), Until: ev.Until})
	case "subscription.canceled":
		err = s.cancel(ctx, ev.Listener, ev.Show)
	}
	if err != nil {
		s.log.Error("webhook", "event", ev.ID, "err", err)
		http.Error(w, "retry later", http.StatusServiceUnavailable)
		return
	}
	if err := s.kv.PutTTL(ctx, idem, []byte(ev.Type), 7*24*time.Hour); err != nil { // DEBATABLE kvrace
		s.log.Warn("webhook idempotency key", "err", err)
	}
}

// activate writes the subscription and its private feed token together.
func (s *Service) activate(ctx context.Context, sub Subscription) error {
	b, _ := json.Marshal(sub)
	expires := sub.Until.Add(gracePeriod)
	pairs := []kvrest.Pair{
		{Key: subKey(sub.Listener, sub.Show), Value: b, ExpiresAt: expires},
		{Key: feedTokenRoot.With(sub.FeedToken).String(), Value: []byte(sub.Listener + "\n" + sub.Show), ExpiresAt: expires,
			Metadata: map[string]any{"plan": sub.Plan}},
	}
	if err := retry.Do(ctx, retry.Default, func(ctx context.Context) error { return s.kv.Bulk(ctx, pairs) }); err != nil {
		return err
	}
	return s.addToLibrary(ctx, sub.Listener, sub.Show)
}

// addToLibrary adds a show to the listener's library.
func (s *Service) addToLibrary(ctx context.Context, listener, show string) error {
	key := libraryRoot.With(listener).String()
	var shows []string
	raw, err := s.kv.Get(ctx, key)
	switch {
	case err == nil:
		if err := json.Unmarshal(raw, &shows); err != nil {
			return err
		}
	case !errors.Is(err, kvrest.ErrNotFound):
		return err
	}
	if slices.Contains(shows, show) {
		return nil
	}
	b, _ := json.Marshal(append(shows, show))
	return s.kv.Put(ctx, key, b) // EXPECT kvrace
}

func (s *Service) load(ctx context.Context, listener, show string) (*Subscription, error) {
	raw, err := s.kv.Get(ctx, subKey(listener, show))
	if err != nil {
		return nil, err
	}
	var sub Subscription
	return &sub, json.Unmarshal(raw, &sub)
}

// cancel ends premium access now and retires the private feed URL.
func (s *Service) cancel(ctx context.Context, listener, show string) error {
	sub, err := s.load(ctx, listener, show)
	if errors.Is(err, kvrest.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	if err := s.kv.Delete(ctx, feedTokenRoot.With(sub.FeedToken).String()); err != nil { // EXPECT kvsession
		return err
	}
	return s.kv.Delete(ctx, subKey(listener, show))
}

// RotateFeedToken issues a new private feed URL, for example after a
// listener shared theirs publicly, and retires the old one.
func (s *Service) RotateFeedToken(ctx context.Context, listener, show string) (string, error) {
	sub, err := s.load(ctx, listener, show)
	if err != nil {
		return "", err
	}
	old := sub.FeedToken
	sub.FeedToken = newToken()
	ttl := max(time.Until(sub.Until.Add(gracePeriod)), time.Hour)
	if err := s.kv.PutTTL(ctx, feedTokenRoot.With(sub.FeedToken).String(), []byte(listener+"\n"+show), ttl); err != nil {
		return "", err
	}
	b, _ := json.Marshal(sub)
	if err := s.kv.Put(ctx, subKey(listener, show), b); err != nil { // EXPECT kvrace|kvsession
		return "", err
	}
	if err := s.kv.Delete(ctx, feedTokenRoot.With(old).String()); err != nil { // EXPECT kvsession
		return "", err
	}
	return sub.FeedToken, nil
}

// Entitled resolves a private feed token to its listener and show.
func (s *Service) Entitled(ctx context.Context, token string) (listener, show string, err error) {
	raw, err := s.kv.GetRaw(ctx, feedTokenRoot.With(token).String())
	if err != nil {
		return "", "", err
	}
	if len(raw) == 0 { // EXPECT kvnull
		return "", "", ErrNotEntitled
	}
	listener, show, _ = strings.Cut(string(raw), "\n")
	return listener, show, nil
}

// Preferences are a listener's notification settings.
type Preferences struct {
	NewEpisodePush bool     `json:"new_episode_push"`
	WeeklyDigest   bool     `json:"weekly_digest"`
	MutedShows     []string `json:"muted_shows"`
}

// SetPush turns new-episode pushes on or off.
func (s *Service) SetPush(ctx context.Context, listener string, on bool) error {
	key := prefsRoot.With(listener).String()
	prefs := Preferences{NewEpisodePush: true, WeeklyDigest: true}
	raw, err := s.kv.GetRaw(ctx, key) // EXPECT kvnull
	if err == nil {
		if err := json.Unmarshal(raw, &prefs); err != nil {
			return err
		}
	}
	prefs.NewEpisodePush = on
	b, _ := json.Marshal(prefs)
	return s.kv.Put(ctx, key, b) // EXPECT kvrace
}
