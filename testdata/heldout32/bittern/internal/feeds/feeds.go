//go:build js && wasm

// Package feeds serves private RSS feeds. Every subscriber gets a feed token
// that is part of their feed URL; podcast apps poll that URL without
// cookies, so the token is the credential.
package feeds

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"github.com/syumai/workers/cloudflare"

	"bittern/internal/edgekv"
	"bittern/internal/episodes"
	"bittern/internal/iterx"
	"bittern/internal/kvctx"
	"bittern/internal/loader"
	"bittern/internal/model"
	"bittern/internal/origin"
)

var (
	ErrUnknownToken = errors.New("feeds: unknown feed token")
	ErrRevoked      = errors.New("feeds: feed token revoked")
)

const (
	maxArchiveItems = 300
	feedXMLTTL      = 20 * time.Second
)

var shows = &loader.Loader[string, model.Show]{
	Key: func(id string) string { return "showmeta:" + id },
	Fetch: func(ctx context.Context, id string) (model.Show, error) {
		return origin.Fetch[model.Show](ctx, origin.Path("shows", id))
	},
	TTL: 10 * time.Minute,
}

type tokenRecord struct {
	ShowID       string    `json:"show_id"`
	SubscriberID string    `json:"subscriber_id"`
	Tier         string    `json:"tier"`
	Issued       time.Time `json:"issued"`
}

type revocation struct {
	Reason string    `json:"reason"`
	At     time.Time `json:"at"`
}

// rotated replaces the record of a rotated token, so that apps still polling
// the old URL can be sent to the new one.
type rotated struct {
	tokenRecord
	RotatedTo string `json:"rotated_to"`
}

func newToken() string {
	b := make([]byte, 20)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// Issue mints a feed token for a new subscription. The subscribe page
// redirects straight to the feed URL so the listener's app can add it.
func Issue(ctx context.Context, sub model.Subscriber) (string, error) {
	s := kvctx.From(ctx)
	tok := newToken()
	rec := tokenRecord{ShowID: sub.ShowID, SubscriberID: sub.ID, Tier: sub.Tier, Issued: time.Now().UTC()}
	if err := s.Write(s.Key("feedtok", tok)).JSON(rec).Do(ctx); err != nil { // DEBATABLE kvsession
		return "", err
	}
	return tok, nil
}

// Resolve returns the record behind a feed token.
func Resolve(ctx context.Context, tok string) (*tokenRecord, error) {
	m := &edgekv.Memo{KV: kvctx.From(ctx), TTL: 30 * time.Second}
	if _, revoked, err := m.Lookup(ctx, m.Key("revoked", tok)); err != nil {
		return nil, err
	} else if revoked {
		return nil, ErrRevoked
	}
	if _, bad, _ := m.Lookup(ctx, m.Key("badtok", tok)); bad {
		return nil, ErrUnknownToken
	}
	var rec rotated
	switch err := m.Read(m.Key("feedtok", tok)).CacheTTL(10*time.Minute).Into(ctx, &rec); {
	case errors.Is(err, edgekv.ErrNotFound):
		// Scrapers replay old URLs by the thousand; remember the miss briefly.
		if err := m.Put(ctx, m.Key("badtok", tok), "1", 20*time.Second); err != nil { // EXPECT kvttl
			slog.WarnContext(ctx, "feeds: negative cache", "err", err)
		}
		return nil, ErrUnknownToken
	case err != nil:
		return nil, err
	}
	if rec.RotatedTo != "" {
		return nil, &MovedError{Token: rec.RotatedTo}
	}
	return &rec.tokenRecord, nil
}

// MovedError tells a feed client that its token was rotated.
type MovedError struct{ Token string }

func (e *MovedError) Error() string { return "feeds: token rotated" }

// Rotate replaces a leaked feed token with a new one for the same
// subscription and returns the new token.
func Rotate(ctx context.Context, oldTok string) (string, error) {
	rec, err := Resolve(ctx, oldTok)
	if err != nil {
		return "", err
	}
	sub := model.Subscriber{ID: rec.SubscriberID, ShowID: rec.ShowID, Tier: rec.Tier}
	tok, err := Issue(ctx, sub)
	if err != nil {
		return "", err
	}
	s := kvctx.From(ctx)
	old := rotated{tokenRecord: *rec, RotatedTo: tok}
	if err := s.Write(s.Key("feedtok", oldTok)).TTL(30 * 24 * time.Hour).JSON(old).Do(ctx); err != nil { // EXPECT kvsession
		return "", err
	}
	return tok, nil
}

// Revoke stops a token from working, e.g. when a subscription is cancelled.
func Revoke(ctx context.Context, tok, reason string) error {
	s := kvctx.From(ctx)
	return s.Write(s.Key("revoked", tok)).JSON(revocation{Reason: reason, At: time.Now().UTC()}).Do(ctx) // EXPECT kvsession
}

// Render writes the RSS document for the feed token.
func Render(ctx context.Context, tok string) ([]byte, error) {
	rec, err := Resolve(ctx, tok)
	if err != nil {
		return nil, err
	}
	cloudflare.WaitUntil(func() { recordHit(context.WithoutCancel(ctx), tok) })
	s := kvctx.From(ctx)
	if err := s.Put(ctx, s.Key("show", rec.ShowID, "last-poll"), time.Now().UTC().Format(time.RFC3339), 0); err != nil { // DEBATABLE kvhotkey
		slog.WarnContext(ctx, "feeds: last poll", "err", err)
	}

	cache := kvctx.Cache(ctx)
	cacheKey := cache.Key("feedxml", rec.ShowID, rec.Tier)
	if xml, ok, err := cache.Lookup(ctx, cacheKey); err == nil && ok {
		return []byte(xml), nil
	}
	show, err := shows.Load(ctx, rec.ShowID)
	if err != nil {
		return nil, err
	}
	items, err := episodes.Listing(ctx, rec.ShowID)
	if err != nil {
		return nil, err
	}
	xml := renderRSS(show, items)
	if err := edgekv.Cache(ctx, cache, cacheKey, string(xml), feedXMLTTL); err != nil {
		slog.WarnContext(ctx, "feeds: cache fill", "err", err)
	}
	return xml, nil
}

// RenderArchive writes the full back catalogue of a show, for tiers that
// include it. The index only holds the recent episodes.
func RenderArchive(ctx context.Context, tok string) ([]byte, error) {
	rec, err := Resolve(ctx, tok)
	if err != nil {
		return nil, err
	}
	show, err := shows.Load(ctx, rec.ShowID)
	if err != nil {
		return nil, err
	}
	s := kvctx.From(ctx)
	var items []episodes.Item
	for key, err := range iterx.Take(s.Keys(ctx, s.Key("show", rec.ShowID, "ep")+":"), maxArchiveItems) {
		if err != nil {
			return nil, err
		}
		var ep model.Episode
		if err := s.Read(key).Into(ctx, &ep); err != nil { // EXPECT kvlist
			return nil, err
		}
		items = append(items, episodes.Item{ID: ep.ID, Slug: ep.Slug, Title: ep.Title, PublishAt: ep.PublishAt})
	}
	return renderRSS(show, items), nil
}

// recordHit counts feed polls per token; support uses it to spot tokens
// shared on the open internet.
func recordHit(ctx context.Context, tok string) {
	s := kvctx.From(ctx)
	key := s.Key("feed-hits", tok)
	raw, err := s.Get(ctx, key) // EXPECT kvnull
	if err != nil {
		return
	}
	n, err := strconv.Atoi(raw)
	if err != nil {
		slog.WarnContext(ctx, "feeds: hit counter unreadable", "token", tok[:6], "err", err)
		return
	}
	if err := s.Put(ctx, key, strconv.Itoa(n+1), 0); err != nil { // EXPECT kvcounter
		slog.WarnContext(ctx, "feeds: hit counter", "err", err)
	}
}

type prefs struct {
	Speed  float64  `json:"speed"`
	Hidden []string `json:"hidden,omitempty"`
}

// HideEpisode removes an episode from a subscriber's feed.
func HideEpisode(ctx context.Context, subID, episodeID string) (err error) {
	s := kvctx.From(ctx)
	key := s.Key("prefs", subID)
	var p prefs
	if err := s.Read(key).Into(ctx, &p); err != nil && !errors.Is(err, edgekv.ErrNotFound) {
		return err
	}
	defer func() {
		if err == nil {
			err = s.Write(key).JSON(p).Do(ctx) // EXPECT kvrace
		}
	}()
	for _, id := range p.Hidden {
		if id == episodeID {
			return nil
		}
	}
	p.Hidden = append(p.Hidden, episodeID)
	return nil
}

func renderRSS(show model.Show, items []episodes.Item) []byte {
	var b strings.Builder
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel>`)
	fmt.Fprintf(&b, "<title>%s</title>", xmlEscape(show.Title))
	for _, it := range items {
		fmt.Fprintf(&b, "<item><guid>%s</guid><title>%s</title><pubDate>%s</pubDate></item>",
			it.ID, xmlEscape(it.Title), it.PublishAt.Format(time.RFC1123Z))
	}
	b.WriteString("</channel></rss>")
	return []byte(b.String())
}

var xmlEscaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&quot;")

func xmlEscape(s string) string { return xmlEscaper.Replace(s) }
