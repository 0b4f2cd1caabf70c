// Package accounts owns user profiles, usernames and remembered devices.
package accounts

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"time"

	"golang.org/x/sync/errgroup"

	"example.com/identity/internal/repo"
	"example.com/identity/internal/store"
)

// Profile is the public part of a user account.
type Profile struct {
	UserID      string `json:"sub"`
	Username    string `json:"preferred_username"`
	Email       string `json:"email"`
	DisplayName string `json:"name"`
	Locale      string `json:"locale"`
}

// Service manages accounts.
type Service struct {
	st       store.Store
	profiles *repo.Repo[Profile]
}

func New(st store.Store) *Service {
	return &Service{st: st, profiles: repo.New[Profile](st, "profile:")}
}

var (
	ErrUsernameTaken = errors.New("accounts: username taken")
	ErrNoProfile     = errors.New("accounts: no such user")
)

// Profile returns the profile of uid.
func (s *Service) Profile(ctx context.Context, uid string) (*Profile, error) {
	p, err := s.profiles.Get(ctx, uid)
	if errors.Is(err, store.ErrNotFound) {
		return nil, ErrNoProfile
	}
	if err != nil {
		return nil, err
	}
	return &p, nil
}

// ClaimUsername reserves name for uid and records it on the profile.
func (s *Service) ClaimUsername(ctx context.Context, uid, name string) error {
	key := "username:" + strings.ToLower(name)
	_, err := s.st.Get(ctx, key)
	switch {
	case err == nil:
		return ErrUsernameTaken
	case !errors.Is(err, store.ErrNotFound):
		return err
	}
	if err := s.st.Put(ctx, key, []byte(uid)); err != nil { // EXPECT kvrace
		return err
	}
	return s.profiles.Update(ctx, uid, func(p *Profile) error {
		p.UserID = uid
		p.Username = name
		return nil
	})
}

// LinkIdentity maps an upstream identity (provider, subject) to uid.
func (s *Service) LinkIdentity(ctx context.Context, uid, provider, subject string) error {
	if _, err := s.Profile(ctx, uid); err != nil {
		return err
	}
	return s.st.Put(ctx, "link:"+provider+":"+subject, []byte(uid))
}

// RecordLogin remembers the device and the login time. Both writes are
// independent, so they run concurrently.
func (s *Service) RecordLogin(ctx context.Context, uid, device string) error {
	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() error {
		key := "devices:" + uid
		var known []string
		raw, err := s.st.Get(gctx, key)
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return err
		}
		if err == nil {
			if err := json.Unmarshal(raw, &known); err != nil {
				return err
			}
		}
		if slices.Contains(known, device) {
			return nil
		}
		known = append(known, device)
		b, _ := json.Marshal(known)
		return s.st.Put(gctx, key, b) // EXPECT kvrace
	})
	g.Go(func() error {
		ts := time.Now().UTC().Format(time.RFC3339)
		return s.st.Put(gctx, "lastlogin:"+uid, []byte(ts), store.WithTTL(90*24*time.Hour))
	})
	return g.Wait()
}
