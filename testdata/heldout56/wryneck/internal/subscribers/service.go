// Package subscribers implements double opt-in, preference management and
// unsubscribes on top of the key/value store.
package subscribers

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"slices"
	"strings"
	"time"

	"wryneck/internal/newsletter"
	"wryneck/internal/opt"
	"wryneck/internal/tracing"
)

// Service is the subscriber use-case layer.
type Service struct {
	repo *Repository
	now  func() time.Time
}

// NewService wires a Service.
func NewService(store newsletter.Store, src Source) *Service {
	return &Service{repo: &Repository{store: store, source: src}, now: time.Now}
}

// SubscribeCommand starts a double opt-in.
type SubscribeCommand struct {
	ListID  string
	Address string
	Origin  string
}

// PreferencesCommand changes preferences. Nil fields are left unchanged.
type PreferencesCommand struct {
	ListID    string
	Address   string
	Frequency *newsletter.Frequency
	AddTopics []string
	DropTopic *string
}

func newToken() string {
	var b [24]byte
	_, _ = rand.Read(b[:])
	return base64.RawURLEncoding.EncodeToString(b[:])
}

// Subscribe records a pending opt-in and returns the confirmation token.
func (s *Service) Subscribe(ctx context.Context, cmd SubscribeCommand) (tok string, err error) {
	ctx, end := tracing.Start(ctx, "subscribers.subscribe", tracing.Str("list", cmd.ListID))
	defer end(&err)
	tok = newToken()
	err = s.repo.savePending(ctx, pendingRow{
		Token:   tok,
		List:    cmd.ListID,
		Address: strings.ToLower(strings.TrimSpace(cmd.Address)),
		Origin:  cmd.Origin,
		Created: s.now().UTC(),
	})
	return tok, err
}

// Confirm redeems an opt-in token and creates the preference record.
func (s *Service) Confirm(ctx context.Context, token string) (err error) {
	ctx, end := tracing.Start(ctx, "subscribers.confirm")
	defer end(&err)
	rec, err := s.repo.consumePending(ctx, token)
	if err != nil {
		return err
	}
	return s.repo.writePrefs(ctx, prefsRow{List: rec.ListID, Address: rec.Email}, &newsletter.Preferences{
		ListID:    rec.ListID,
		Email:     rec.Email,
		Frequency: newsletter.Weekly,
		Confirmed: true,
		UpdatedAt: s.now().UTC(),
	})
}

// Preferences returns the current preferences.
func (s *Service) Preferences(ctx context.Context, listID, address string) (*newsletter.Preferences, error) {
	return s.repo.loadPrefs(ctx, prefsRow{List: listID, Address: address})
}

// UpdatePreferences applies a PreferencesCommand.
func (s *Service) UpdatePreferences(ctx context.Context, cmd PreferencesCommand) error {
	return s.repo.update(ctx, prefsRow{List: cmd.ListID, Address: cmd.Address}, func(p *newsletter.Preferences) error {
		p.Frequency = opt.Deref(cmd.Frequency, p.Frequency)
		for _, t := range cmd.AddTopics {
			if !slices.Contains(p.Topics, t) {
				p.Topics = append(p.Topics, t)
			}
		}
		if cmd.DropTopic != nil {
			p.Topics = slices.DeleteFunc(p.Topics, func(t string) bool { return t == *cmd.DropTopic })
		}
		return nil
	})
}

// Unsubscribe soft-deletes the preference record.
func (s *Service) Unsubscribe(ctx context.Context, listID, address string) error {
	return s.repo.update(ctx, prefsRow{List: listID, Address: address}, func(p *newsletter.Preferences) error {
		if p.Deleted {
			return nil
		}
		now := s.now().UTC()
		p.Deleted, p.RevokedAt = true, &now
		return nil
	})
}

// ErrAlreadyUnsubscribed is returned for magic links of removed addresses.
var ErrAlreadyUnsubscribed = errors.New("subscribers: already unsubscribed")

// SendMagicLink creates a one-time code for the preference center.
func (s *Service) SendMagicLink(ctx context.Context, listID, address string) (string, error) {
	code := newToken()
	if err := s.repo.saveMagicLink(ctx, code, prefsRow{List: listID, Address: address}); err != nil {
		return "", err
	}
	return code, nil
}

// RedeemMagicLink resolves a code to the subscriber it was issued for and
// burns it.
func (s *Service) RedeemMagicLink(ctx context.Context, code string) (listID, address string, err error) {
	row, err := s.repo.lookupMagicLink(ctx, code)
	if err != nil {
		return "", "", err
	}
	if err := s.repo.store.Delete(ctx, newsletter.KindMagicLink.Key(code)); err != nil { // EXPECT kvsession
		return "", "", err
	}
	return row.List, row.Address, nil
}
