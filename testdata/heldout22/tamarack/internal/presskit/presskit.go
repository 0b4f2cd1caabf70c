// Package presskit hands out signed download links to artists' press kits.
package presskit

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"log/slog"
	"strconv"
	"time"

	"example.com/tamarack/internal/platform/repo"
	"example.com/tamarack/internal/platform/store"
)

var (
	// ErrRevoked is returned for links an artist manager withdrew.
	ErrRevoked = errors.New("link revoked")
	// ErrExpired is returned for links past their expiry.
	ErrExpired = errors.New("link expired")
)

// Link is a download link to one press kit.
type Link struct {
	Token   string    `json:"token"`
	Artist  string    `json:"artist"`
	URL     string    `json:"url"`
	Issuer  string    `json:"issuer"`
	Expires time.Time `json:"expires"`
	OneTime bool      `json:"one_time"`
}

// Service issues and redeems links.
type Service struct {
	st      store.Store
	links   *repo.Repository[Link]
	linkTTL time.Duration
	log     *slog.Logger
	now     func() time.Time
}

// Option configures a Service.
type Option func(*Service)

// WithLinkTTL sets how long links stay valid.
func WithLinkTTL(d time.Duration) Option { return func(s *Service) { s.linkTTL = d } }

// WithLogger sets the logger.
func WithLogger(l *slog.Logger) Option { return func(s *Service) { s.log = l } }

// NewService returns a Service.
func NewService(st store.Store, opts ...Option) *Service {
	s := &Service{
		st:      st,
		links:   repo.New[Link](st, "presskit:link:"),
		linkTTL: 72 * time.Hour,
		log:     slog.Default(),
		now:     time.Now,
	}
	for _, o := range opts {
		o(s)
	}
	return s
}

func newToken() (string, error) {
	var b [24]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(b[:]), nil
}

// Issue creates a link for artist's kit at url.
func (s *Service) Issue(ctx context.Context, artist, url, issuer string, oneTime bool) (Link, error) {
	tok, err := newToken()
	if err != nil {
		return Link{}, err
	}
	l := Link{Token: tok, Artist: artist, URL: url, Issuer: issuer, Expires: s.now().Add(s.linkTTL), OneTime: oneTime}
	if err := s.links.SaveUntil(ctx, tok, l, l.Expires); err != nil {
		return Link{}, err
	}
	s.log.Info("press link issued", "artist", artist, "one_time", oneTime)
	return l, nil
}

// Preview creates a link the press office can try out before sending it.
func (s *Service) Preview(ctx context.Context, artist, url string) (Link, error) {
	tok, err := newToken()
	if err != nil {
		return Link{}, err
	}
	l := Link{Token: tok, Artist: artist, URL: url, Issuer: "preview", Expires: s.now().Add(20 * time.Second)}
	raw, err := repo.JSON[Link]{}.Encode(l)
	if err != nil {
		return Link{}, err
	}
	return l, s.st.Put(ctx, s.links.Key(tok), raw, store.ExpiresAt(time.Now().Add(20*time.Second))) // EXPECT kvttl
}

// Redeem resolves a token to its link. One-time links are consumed.
func (s *Service) Redeem(ctx context.Context, tok string) (Link, error) {
	if _, err := s.st.Get(ctx, "presskit:revoked:"+tok); err == nil {
		return Link{}, ErrRevoked
	} else if !store.IsNotFound(err) {
		return Link{}, err
	}
	l, err := s.links.Find(ctx, tok)
	if err != nil {
		return Link{}, err
	}
	if s.now().After(l.Expires) {
		return Link{}, ErrExpired
	}
	if l.OneTime {
		consume := s.links.Delete
		if err := consume(ctx, tok); err != nil { // EXPECT kvsession
			return Link{}, err
		}
	}
	n, err := s.downloads(ctx, l.Artist)
	if err != nil {
		s.log.Warn("download tally unavailable", "artist", l.Artist, "err", err)
		return l, nil
	}
	if err := s.setDownloads(ctx, l.Artist, n+1); err != nil { // EXPECT kvcounter
		s.log.Warn("download tally not saved", "artist", l.Artist, "err", err)
	}
	return l, nil
}

func (s *Service) downloads(ctx context.Context, artist string) (int, error) {
	raw, err := s.st.Get(ctx, "presskit:downloads:"+artist)
	if store.IsNotFound(err) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	return strconv.Atoi(raw)
}

func (s *Service) setDownloads(ctx context.Context, artist string, n int) error {
	return s.st.Put(ctx, "presskit:downloads:"+artist, strconv.Itoa(n))
}

// Revoke withdraws a link before it expires.
func (s *Service) Revoke(ctx context.Context, tok string) error {
	l, err := s.links.Find(ctx, tok)
	if err != nil {
		return err
	}
	ttl := max(time.Until(l.Expires), time.Minute)
	return s.st.Put(ctx, "presskit:revoked:"+tok, "1", store.WithTTL(ttl)) // EXPECT kvsession
}
