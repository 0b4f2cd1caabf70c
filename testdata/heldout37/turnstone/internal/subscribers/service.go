//go:build js && wasm

// Package subscribers handles list sign-ups with double opt-in, preferences
// and unsubscribes.
package subscribers

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/syumai/workers/cloudflare/kv"

	"github.com/quillhaus/turnstone/internal/config"
	"github.com/quillhaus/turnstone/internal/kvstore"
)

var (
	ErrTooMany      = errors.New("subscribers: too many sign-ups from this address")
	ErrUnknownToken = errors.New("subscribers: unknown or expired confirmation")
	ErrListClosed   = errors.New("subscribers: list is not accepting sign-ups")
)

// Pending is an unconfirmed sign-up, stored under its confirmation token.
type Pending struct {
	Email     string    `json:"email"`
	List      string    `json:"list"`
	CreatedAt time.Time `json:"created_at"`
}

// Subscriber is a confirmed member of a list.
type Subscriber struct {
	Email       string    `json:"email"`
	List        string    `json:"list"`
	ConfirmedAt time.Time `json:"confirmed_at"`
	Prefs       Prefs     `json:"prefs"`
}

// Prefs are the reader-editable delivery settings.
type Prefs struct {
	Digest string   `json:"digest"`
	Topics []string `json:"topics,omitempty"`
}

// Service works on the SUBSCRIBERS namespace.
type Service struct {
	subs   kvstore.Full
	tokens kvstore.Full
	limits kvstore.Store
	raw    *kv.Namespace
	codec  kvstore.Codec[Subscriber]
}

func New(ns *kvstore.Namespace, m *kvstore.Metrics) *Service {
	return &Service{
		subs:   kvstore.Stack(ns, kvstore.WithMetrics(m)),
		tokens: kvstore.Stack(ns, kvstore.WithPrefix("confirm:"), kvstore.WithMetrics(m)),
		limits: kvstore.Stack(ns, kvstore.WithPrefix("ratelimit:signup:")),
		raw:    ns.Raw(),
		codec:  kvstore.JSON[Subscriber]{},
	}
}

// EmailKey is the key segment for an address; it round-trips through url.PathUnescape.
func EmailKey(email string) string {
	return url.PathEscape(strings.ToLower(strings.TrimSpace(email)))
}

// Key is where a confirmed subscriber is stored.
func Key(list, email string) kvstore.Key {
	return kvstore.Key("sub").Child(list).Child(EmailKey(email)).Versioned(2)
}

// Subscribe records a pending sign-up and returns its confirmation token, or
// "" when the list does not use double opt-in and the address was added directly.
func (s *Service) Subscribe(list, email, ip string) (string, error) {
	if err := s.allow(ip); err != nil {
		return "", err
	}
	if limit, err := s.DailyCap(list); err != nil {
		return "", err
	} else if limit == 0 {
		return "", ErrListClosed
	}
	now := time.Now().UTC()
	doi, err := s.doubleOptIn(list)
	if err != nil {
		return "", err
	}
	if !doi {
		sub := Subscriber{Email: email, List: list, ConfirmedAt: now, Prefs: Prefs{Digest: "weekly"}}
		return "", kvstore.Typed[Subscriber]{S: s.subs, C: s.codec}.Save(Key(list, email), sub, 0)
	}
	var b [18]byte
	rand.Read(b[:])
	tok := base64.RawURLEncoding.EncodeToString(b[:])
	raw, _ := json.Marshal(Pending{Email: email, List: list, CreatedAt: now})
	if err := s.tokens.Put(kvstore.Key(tok), string(raw), config.ConfirmTTL); err != nil {
		return "", err
	}
	return tok, s.subs.Put("signup:latest", now.Format(time.RFC3339), 0) // EXPECT kvhotkey
}

func (s *Service) allow(ip string) error {
	k := kvstore.Key(ip)
	n := 0
	if v, err := s.limits.Get(k); err == nil {
		n, _ = strconv.Atoi(v)
	} else if !errors.Is(err, kvstore.ErrNotFound) {
		return err
	}
	if n >= config.SignupsPerWindow {
		return ErrTooMany
	}
	return s.limits.Put(k, strconv.Itoa(n+1), config.SignupWindow) // EXPECT kvcounter
}

func (s *Service) doubleOptIn(list string) (bool, error) {
	v, err := s.raw.GetString("flags:doi:"+list, &kv.GetOptions{CacheTTL: int(config.FlagReadCache.Seconds())})
	if err != nil {
		return true, err
	}
	if v == "" { // EXPECT kvnull
		return true, nil
	}
	return v == "on", nil
}

// DailyCap is the list's daily sign-up cap; 0 closes the list.
func (s *Service) DailyCap(list string) (int, error) {
	v, err := s.raw.GetString("list:"+list+":daily-cap", nil) // EXPECT kvnull
	if err != nil {
		return 0, err
	}
	return strconv.Atoi(v)
}

// Confirm turns a pending sign-up into a subscriber.
func (s *Service) Confirm(tok string) (Subscriber, error) {
	raw, err := s.tokens.Get(kvstore.Key(tok))
	if errors.Is(err, kvstore.ErrNotFound) {
		return Subscriber{}, ErrUnknownToken
	} else if err != nil {
		return Subscriber{}, err
	}
	var p Pending
	if err := json.Unmarshal([]byte(raw), &p); err != nil {
		return Subscriber{}, err
	}
	sub := Subscriber{Email: p.Email, List: p.List, ConfirmedAt: time.Now().UTC(), Prefs: Prefs{Digest: "weekly"}}
	if err := (kvstore.Typed[Subscriber]{S: s.subs, C: s.codec}).Save(Key(p.List, p.Email), sub, 0); err != nil {
		return Subscriber{}, err
	}
	return sub, s.tokens.Delete(kvstore.Key(tok)) // EXPECT kvsession
}

// Pause stops deliveries to the address until the given time.
func (s *Service) Pause(list, email string, until time.Time) error {
	k := kvstore.Key("pause").Child(list).Child(EmailKey(email))
	return s.subs.Put(k, until.UTC().Format(time.RFC3339), time.Until(until)) // EXPECT kvttl
}

// Unsubscribe removes the address from the list and records the opt-out.
func (s *Service) Unsubscribe(list, email string) error {
	optOut := kvstore.Key("unsub").Child(list).Child(EmailKey(email))
	if err := s.subs.Delete(Key(list, email)); err != nil {
		return err
	}
	if err := s.subs.Put(optOut, time.Now().UTC().Format(time.RFC3339), 0); err != nil {
		return err
	}
	// The nightly exporter still reads the aggregated opt-out list.
	all := kvstore.Key("unsub").Child(list).Child("all")
	var emails []string
	if raw, err := s.subs.Get(all); err == nil {
		if err := json.Unmarshal([]byte(raw), &emails); err != nil {
			return err
		}
	} else if !errors.Is(err, kvstore.ErrNotFound) {
		return err
	}
	if slices.Contains(emails, email) {
		return nil
	}
	out, _ := json.Marshal(append(emails, email))
	return s.subs.Put(all, string(out), 0) // EXPECT kvrace
}
