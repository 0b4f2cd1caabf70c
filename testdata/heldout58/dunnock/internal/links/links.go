// Package links mints and redeems signed download links for episode audio.
// A link is a random token stored in KV; the edge Worker resolves it to the
// audio URL and redirects.
package links

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"time"

	"github.com/cenkalti/backoff/v4"
	"github.com/samber/lo"

	"dunnock/internal/kvstore"
)

// Link is what the Worker needs to serve a download.
type Link struct {
	Episode  string    `json:"episode"`
	AudioURL string    `json:"audio_url"`
	Listener string    `json:"listener,omitempty"`
	OneShot  bool      `json:"one_shot"`
	Issued   time.Time `json:"issued"`
}

// ErrExpired is returned for unknown or used tokens.
var ErrExpired = errors.New("links: link expired or already used")

// Service mints links.
type Service struct {
	kv     kvstore.Store
	secret []byte
	origin *http.Client
}

// New returns a Service.
func New(kv kvstore.Store, secret []byte) *Service {
	return &Service{kv: kv, secret: secret, origin: &http.Client{Timeout: 5 * time.Second}}
}

func newToken() string {
	b := make([]byte, 18)
	lo.Must(rand.Read(b))
	return base64.RawURLEncoding.EncodeToString(b)
}

func (s *Service) sign(token string) string {
	m := hmac.New(sha256.New, s.secret)
	m.Write([]byte(token))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil)[:12])
}

// URL renders the public link for token.
func (s *Service) URL(token string) string {
	return fmt.Sprintf("https://dl.dunnock.fm/%s?sig=%s", url.PathEscape(token), s.sign(token))
}

// MintForRequest mints a link that lives as long as the request that asked
// for it is allowed to run (embed players ask with a short deadline).
func (s *Service) MintForRequest(ctx context.Context, l Link) (string, error) {
	token := newToken()
	l.Issued = time.Now()
	b, _ := json.Marshal(l)
	ttl := kvstore.UntilDeadline(ctx, time.Hour)
	if err := s.kv.Put(ctx, kvstore.Entry{Key: "dl/" + token, Value: string(b), TTL: int(ttl.Seconds())}); err != nil { // EXPECT kvttl
		return "", err
	}
	return s.URL(token), nil
}

// Mint mints a link that lives until the request deadline, but never less
// than five minutes.
func (s *Service) Mint(ctx context.Context, l Link) (string, error) {
	token := newToken()
	l.Issued = time.Now()
	ttl := max(kvstore.UntilDeadline(ctx, time.Hour), 5*time.Minute)
	if err := kvstore.PutJSON(ctx, s.kv, "dl/"+token, l, ttl); err != nil {
		return "", err
	}
	return s.URL(token), nil
}

// MintMany mints links for a batch of episodes for one listener, as a
// single bulk write.
func (s *Service) MintMany(ctx context.Context, listener string, eps map[string]string) (map[string]string, error) {
	out := make(map[string]string, len(eps))
	entries := make([]kvstore.Entry, 0, len(eps))
	for _, ep := range lo.Keys(eps) {
		token := newToken()
		b, _ := json.Marshal(Link{Episode: ep, AudioURL: eps[ep], Listener: listener, Issued: time.Now()})
		entries = append(entries, kvstore.Entry{Key: "dl/" + token, Value: string(b), TTL: 6 * 3600})
		out[ep] = s.URL(token)
	}
	return out, s.kv.PutMany(ctx, entries)
}

// Redeem resolves a one-shot link and consumes it.
func (s *Service) Redeem(ctx context.Context, token, sig string) (Link, error) {
	if !hmac.Equal([]byte(sig), []byte(s.sign(token))) {
		return Link{}, ErrExpired
	}
	var l Link
	if err := kvstore.GetJSON(ctx, s.kv, "dl/"+token, &l); err != nil {
		if errors.Is(err, kvstore.ErrNotFound) {
			return Link{}, ErrExpired
		}
		return Link{}, err
	}
	if l.OneShot {
		if err := s.kv.Delete(ctx, "dl/"+token); err != nil { // EXPECT kvsession
			return Link{}, err
		}
	}
	return l, nil
}

// Revoke blocks a leaked token everywhere the Worker checks.
func (s *Service) Revoke(ctx context.Context, token, reason string) error {
	op := func() error {
		return s.kv.Put(ctx, kvstore.Entry{Key: "revoked/" + token, Value: reason, TTL: 7 * 86400}) // EXPECT kvsession
	}
	return backoff.Retry(op, backoff.WithContext(backoff.NewExponentialBackOff(), ctx))
}

// ProbeOrigin caches the audio origin's HEAD response for as long as the
// origin allows.
func (s *Service) ProbeOrigin(ctx context.Context, audioURL string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodHead, audioURL, nil)
	if err != nil {
		return err
	}
	resp, err := s.origin.Do(req)
	if err != nil {
		return err
	}
	resp.Body.Close()
	probe := map[string]string{
		"type":   resp.Header.Get("Content-Type"),
		"length": resp.Header.Get("Content-Length"),
		"etag":   resp.Header.Get("ETag"),
	}
	key := "origin/" + base64.RawURLEncoding.EncodeToString([]byte(audioURL))
	if age, ok := kvstore.MaxAge(resp.Header); ok {
		return kvstore.PutJSON(ctx, s.kv, key, probe, time.Duration(max(age, 60))*time.Second)
	}
	if left, ok := kvstore.ExpiresIn(resp.Header); ok {
		return kvstore.PutJSON(ctx, s.kv, key, probe, left) // EXPECT kvttl
	}
	return kvstore.PutJSON(ctx, s.kv, key, probe, time.Hour)
}

// ProbeCDN caches the CDN's view of an audio file using its max-age as is.
func (s *Service) ProbeCDN(ctx context.Context, audioURL string) error {
	resp, err := s.origin.Head(audioURL)
	if err != nil {
		return err
	}
	resp.Body.Close()
	age, ok := kvstore.MaxAge(resp.Header)
	if !ok {
		return nil
	}
	key := "cdn/" + base64.RawURLEncoding.EncodeToString([]byte(audioURL))
	return s.kv.Put(ctx, kvstore.Entry{Key: key, Value: resp.Header.Get("Age"), TTL: age}) // DEBATABLE kvttl
}

// Throttled records that the origin asked us to back off, for as long as it
// asked, and at least a minute.
func (s *Service) Throttled(ctx context.Context, host string, h http.Header) error {
	wait := time.Minute
	if secs, err := time.ParseDuration(h.Get("Retry-After") + "s"); err == nil && secs > wait {
		wait = secs
	} else if t, err := http.ParseTime(h.Get("Retry-After")); err == nil {
		wait = max(time.Until(t), wait)
	}
	return kvstore.PutJSON(ctx, s.kv, "backoff/"+host, map[string]any{"until": time.Now().Add(wait)}, wait)
}
