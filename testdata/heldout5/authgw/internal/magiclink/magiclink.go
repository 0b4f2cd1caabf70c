// Package magiclink implements passwordless sign-in by email.
package magiclink

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"time"

	"example.com/authgw/internal/ids"
	"example.com/authgw/internal/kvport"
	"example.com/authgw/internal/repo"
)

var (
	ErrTooMany = errors.New("magiclink: too many links requested")
	ErrInvalid = errors.New("magiclink: link is invalid or expired")
)

// Config is loaded from the worker's vars.
type Config struct {
	BaseURL    string        // where the callback lives, e.g. https://auth.example.com
	LinkTTL    time.Duration // how long an emailed link stays valid
	MaxPerHour int64
}

// Link is what a token resolves to.
type Link struct {
	Email    string    `json:"email"`
	Redirect string    `json:"redirect"`
	IssuedAt time.Time `json:"issued_at"`
}

// Mailer delivers the sign-in URL.
type Mailer func(ctx context.Context, to, link string) error

// Service issues and redeems links.
type Service struct {
	kv   kvport.Store
	cfg  Config
	mail Mailer
	now  func() time.Time
}

func NewService(kv kvport.Store, cfg Config, mail Mailer) *Service {
	return &Service{kv: kv, cfg: cfg, mail: mail, now: time.Now}
}

func linkKey(token string) string { return "magic:link:" + ids.Hash(token) }

// Issue emails a one-time sign-in link to email.
func (s *Service) Issue(ctx context.Context, email, redirect string) error {
	now := s.now().UTC()
	bucket := fmt.Sprintf("magic:sent:%s:%s", ids.Hash(email), now.Format("2006010215"))
	var sent int64
	if raw, err := s.kv.Get(ctx, bucket); err == nil {
		sent, _ = strconv.ParseInt(string(raw), 10, 64)
	} else if !kvport.IsNotFound(err) {
		return err
	}
	if sent >= s.cfg.MaxPerHour {
		return ErrTooMany
	}
	if err := s.kv.Put(ctx, bucket, []byte(strconv.FormatInt(sent+1, 10)), kvport.WithTTL(2*time.Hour)); err != nil { // EXPECT kvcounter
		return err
	}

	token := ids.Secret(32)
	link := Link{Email: email, Redirect: redirect, IssuedAt: now}
	if err := repo.PutJSON(ctx, s.kv, linkKey(token), link, kvport.WithTTLSeconds(int(s.cfg.LinkTTL))); err != nil { // EXPECT kvttl
		return err
	}
	u := s.cfg.BaseURL + "/auth/magic/callback?token=" + url.QueryEscape(token)
	return s.mail(ctx, email, u)
}

// Redeem resolves token to its link and burns it.
func (s *Service) Redeem(ctx context.Context, token string) (Link, error) {
	key := linkKey(token)
	l, err := repo.GetJSON[Link](ctx, s.kv, key)
	if kvport.IsNotFound(err) {
		return Link{}, ErrInvalid
	}
	if err != nil {
		return Link{}, err
	}
	if err := s.kv.Delete(ctx, key); err != nil { // EXPECT kvsession
		return Link{}, err
	}
	return l, nil
}
