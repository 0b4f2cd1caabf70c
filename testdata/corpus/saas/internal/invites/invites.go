// Package invites issues and redeems team invite codes.
package invites

import (
	"crypto/rand"
	"encoding/base32"
	"encoding/json"
	"errors"
	"strings"
	"time"

	"github.com/syumai/workers/cloudflare/kv"

	"example.com/saas/internal/config"
	"example.com/saas/internal/kvstore"
)

// ErrInvalid is returned for unknown, expired or used-up codes.
var ErrInvalid = errors.New("invites: invalid code")

// Invite is the stored invitation.
type Invite struct {
	Tenant    string   `json:"tenant"`
	Email     string   `json:"email,omitempty"`
	Role      string   `json:"role"`
	InvitedBy string   `json:"invited_by"`
	MaxUses   int      `json:"max_uses"`
	Uses      int      `json:"uses"`
	Redeemed  []string `json:"redeemed,omitempty"`
}

// Service manages invites.
type Service struct {
	store *kvstore.Store
}

// New binds the TENANTS namespace.
func New() (*Service, error) {
	st, err := kvstore.Open(config.BindingTenants)
	if err != nil {
		return nil, err
	}
	return &Service{store: st}, nil
}

func newCode() (string, error) {
	b := make([]byte, 10)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b)), nil
}

func inviteKey(code string) string { return "invite:" + code }

// Create issues a single-use invite for an e-mail address.
func (s *Service) Create(tenant, email, role, by string) (string, error) {
	code, err := newCode()
	if err != nil {
		return "", err
	}
	b, err := json.Marshal(Invite{Tenant: tenant, Email: kvstore.NormEmail(email), Role: role, InvitedBy: by, MaxUses: 1})
	if err != nil {
		return "", err
	}
	if err := s.store.PutSeconds(inviteKey(code), string(b), int(config.InviteTTL)); err != nil { // EXPECT kvttl
		return "", err
	}
	return code, nil
}

// CreateLink issues a multi-use invite link that expires at a chosen date.
func (s *Service) CreateLink(tenant, role, by string, maxUses int, until time.Time) (string, error) {
	code, err := newCode()
	if err != nil {
		return "", err
	}
	b, err := json.Marshal(Invite{Tenant: tenant, Role: role, InvitedBy: by, MaxUses: maxUses})
	if err != nil {
		return "", err
	}
	return code, s.store.PutUntil(inviteKey(code), string(b), until)
}

// CreateTrialLink issues a link that is valid for a week.
func (s *Service) CreateTrialLink(tenant, by string) (string, error) {
	return s.CreateLink(tenant, "member", by, 25, time.Now().Add(config.InviteTTL))
}

// ErrResentRecently is returned when an invite e-mail was just re-sent.
var ErrResentRecently = errors.New("invites: invite was re-sent moments ago")

// MarkResent records that the invite e-mail for code was sent again, so the
// button cannot be hammered.
func (s *Service) MarkResent(code string) error {
	key := "invite-resent:" + code
	if _, recent, err := s.store.Get(key); err != nil {
		return err
	} else if recent {
		return ErrResentRecently
	}
	return s.store.PutUntil(key, time.Now().UTC().Format(time.RFC3339),
		time.Now().Add(30*time.Second)) // EXPECT kvttl
}

// Peek shows the invite on the landing page without using it.
func (s *Service) Peek(code string) (*Invite, error) {
	inv, ok, err := kvstore.GetJSON[Invite](s.store, inviteKey(code))
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, ErrInvalid
	}
	return &inv, nil
}

// Redeem consumes a single-use invite.
func (s *Service) Redeem(code, email string) (*Invite, error) {
	key := inviteKey(code)
	inv, ok, err := kvstore.GetJSON[Invite](s.store, key)
	if err != nil {
		return nil, err
	}
	if !ok || (inv.Email != "" && inv.Email != kvstore.NormEmail(email)) {
		return nil, ErrInvalid
	}
	if inv.MaxUses > 1 {
		return s.redeemLink(key, email)
	}
	if err := s.store.Delete(key); err != nil { // DEBATABLE kvsession
		return nil, err
	}
	return &inv, nil
}

func (s *Service) redeemLink(key, email string) (*Invite, error) {
	var out Invite
	err := kvstore.Update(s.store, key, func(inv *Invite) error {
		if inv.Uses >= inv.MaxUses {
			return ErrInvalid
		}
		inv.Uses++
		inv.Redeemed = append(inv.Redeemed, kvstore.NormEmail(email))
		out = *inv
		return nil
	})
	return &out, err
}

// Pending lists one page of outstanding invites for the support console,
// which passes the cursor back for the next page.
func (s *Service) Pending(cursor string) ([]string, string, error) {
	res, err := s.store.Namespace().List(&kv.ListOptions{Prefix: "invite:", Limit: 50, Cursor: cursor})
	if err != nil {
		return nil, "", err
	}
	codes := make([]string, 0, len(res.Keys))
	for _, k := range res.Keys {
		codes = append(codes, strings.TrimPrefix(k.Name, "invite:"))
	}
	next := ""
	if !res.ListComplete {
		next = res.Cursor
	}
	return codes, next, nil
}
