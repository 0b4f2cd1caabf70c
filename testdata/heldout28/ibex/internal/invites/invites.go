// Package invites lets creators invite listeners to private shows by
// e-mail. An invitation carries a one-time code the listener redeems for a
// private feed token.
package invites

import (
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"example.com/ibex/internal/codec"
	"example.com/ibex/internal/keys"
	"example.com/ibex/internal/kvstore"
	"example.com/ibex/internal/lifetime"
	"example.com/ibex/internal/tokens"
)

var (
	timeNow = time.Now
	newCode = func() string { return tokens.Code(10) }
)

// resendCooldown stops a creator from spamming the same address.
const resendCooldown lifetime.Seconds = 30

// maxFailures is how many wrong codes an address may submit.
const maxFailures = 5

var (
	ErrInvalidCode  = errors.New("invites: invalid or used code")
	ErrTooManyTries = errors.New("invites: too many attempts")
)

// Invite is a pending invitation.
type Invite struct {
	ShowID    string    `json:"show_id"`
	EmailHash string    `json:"email_hash"`
	InvitedBy string    `json:"invited_by"`
	CreatedAt time.Time `json:"created_at"`
}

// Consumer-side ports. *kvstore.Store satisfies all of them.
type (
	codeIssuer interface {
		PutTTL(ctx context.Context, key string, val []byte, ttl time.Duration) error
	}
	codeRedeemer interface {
		Get(ctx context.Context, key string) ([]byte, error)
		Delete(ctx context.Context, key string) error
	}
	failureLog interface {
		Get(ctx context.Context, key string) ([]byte, error)
		Put(ctx context.Context, key string, val []byte) error
	}
	cooldowns interface {
		Get(ctx context.Context, key string) ([]byte, error)
		PutTTL(ctx context.Context, key string, val []byte, ttl time.Duration) error
	}
)

// Mailer sends the invitation e-mail.
type Mailer interface {
	SendInvite(ctx context.Context, to, showID, code string) error
}

// Service issues and redeems invitations.
type Service struct {
	issuer    codeIssuer
	redeemer  codeRedeemer
	failures  failureLog
	cooldowns cooldowns
	notFound  func(error) bool
	mail      Mailer
	validDays int
}

// New returns a Service whose invitations stay valid validDays days.
func New(st *kvstore.Store, mail Mailer, validDays int) *Service {
	return &Service{
		issuer: st, redeemer: st, failures: st, cooldowns: st,
		notFound:  kvstore.IsNotFound,
		mail:      mail,
		validDays: validDays,
	}
}

func codeKey(code string) string { return "invite:" + keys.Hash(code) }

// Send invites email to showID.
func (s *Service) Send(ctx context.Context, showID, creatorID, email string) error {
	code := newCode()
	inv := Invite{ShowID: showID, EmailHash: keys.Email(email), InvitedBy: creatorID, CreatedAt: timeNow().UTC()}
	b, err := json.Marshal(inv)
	if err != nil {
		return err
	}
	if err := s.issuer.PutTTL(ctx, codeKey(code), b, lifetime.Days(s.validDays).Duration()); err != nil {
		return err
	}
	if err := s.mail.SendInvite(ctx, email, showID, code); err != nil {
		return err
	}
	return s.cooldowns.PutTTL(ctx, sentKey(showID, email), []byte("1"), resendCooldown.Duration()) // EXPECT kvttl
}

func sentKey(showID, email string) string { return "invite-sent:" + showID + ":" + keys.Email(email) }

// RecentlySent reports whether an invitation to email went out within the
// resend cooldown; the dashboard greys out the resend button.
func (s *Service) RecentlySent(ctx context.Context, showID, email string) (bool, error) {
	_, err := s.cooldowns.Get(ctx, sentKey(showID, email))
	if s.notFound(err) {
		return false, nil
	}
	return err == nil, err
}

// Redeem consumes a code presented by email and returns the invitation.
func (s *Service) Redeem(ctx context.Context, code, email string) (Invite, error) {
	if n, err := s.failureCount(ctx, email); err != nil {
		return Invite{}, err
	} else if n >= maxFailures {
		return Invite{}, ErrTooManyTries
	}
	raw, err := s.redeemer.Get(ctx, codeKey(code))
	if s.notFound(err) {
		return Invite{}, errors.Join(ErrInvalidCode, s.recordFailure(ctx, email))
	}
	if err != nil {
		return Invite{}, err
	}
	var inv Invite
	if err := json.Unmarshal(raw, &inv); err != nil {
		return Invite{}, fmt.Errorf("invites: decode: %w", err)
	}
	if subtle.ConstantTimeCompare([]byte(inv.EmailHash), []byte(keys.Email(email))) != 1 {
		return Invite{}, errors.Join(ErrInvalidCode, s.recordFailure(ctx, email))
	}
	if err := s.redeemer.Delete(ctx, codeKey(code)); err != nil { // EXPECT kvsession
		return Invite{}, err
	}
	return inv, nil
}

func failureKey(email string) string { return "invite-attempts:" + keys.Email(email) }

func (s *Service) failureCount(ctx context.Context, email string) (uint32, error) {
	raw, err := s.failures.Get(ctx, failureKey(email))
	if s.notFound(err) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	return codec.ReadUint32(raw)
}

func (s *Service) recordFailure(ctx context.Context, email string) error {
	n, err := s.failureCount(ctx, email)
	if err != nil {
		return err
	}
	return s.failures.Put(ctx, failureKey(email), codec.Uint32(n+1)) // EXPECT kvcounter
}
