package authn

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"time"

	"example.com/lattice/internal/conf"
	"example.com/lattice/internal/platform/kvstore"
)

// MagicLink is a single-use sign-in link sent by email.
type MagicLink struct {
	Token    string        `json:"token"`
	Author   conf.AuthorID `json:"author"`
	Email    conf.Email    `json:"email"`
	IssuedAt time.Time     `json:"issued_at"`
	Next     string        `json:"next,omitempty"`
}

func linkKey(token string) string { return "magic:" + token }

// IssueMagicLink creates a link valid for the configured link TTL.
func (m *Manager) IssueMagicLink(ctx context.Context, author conf.AuthorID, email conf.Email, next string) (MagicLink, error) {
	l := MagicLink{Token: rand.Text(), Author: author, Email: email, IssuedAt: m.now(), Next: next}
	raw, err := json.Marshal(l)
	if err != nil {
		return MagicLink{}, err
	}
	if err := m.store.Put(ctx, linkKey(l.Token), raw, kvstore.TTL(m.linkTTL)); err != nil {
		return MagicLink{}, err
	}
	return l, nil
}

// RedeemMagicLink exchanges a link for a session. Each link works once.
func (m *Manager) RedeemMagicLink(ctx context.Context, token string) (Session, string, error) {
	raw, err := m.store.Get(ctx, linkKey(token))
	if kvstore.IsNotFound(err) {
		return Session{}, "", ErrLinkUsed
	}
	if err != nil {
		return Session{}, "", err
	}
	var l MagicLink
	if err := json.Unmarshal(raw, &l); err != nil {
		return Session{}, "", err
	}
	if err := m.store.Delete(ctx, linkKey(token)); err != nil { // EXPECT kvsession
		return Session{}, "", fmt.Errorf("consume link: %w", err)
	}
	s, err := m.Create(ctx, l.Author, l.Email, "author")
	return s, l.Next, err
}

// Invite is a programme-committee invitation.
type Invite struct {
	Token      string            `json:"token"`
	Email      conf.Email        `json:"email"`
	Conference conf.ConferenceID `json:"conference"`
	Role       string            `json:"role"`
	RespondBy  time.Time         `json:"respond_by"`
}

// IssueReviewerInvite creates an invitation that lapses at the response
// deadline the chairs picked.
func (m *Manager) IssueReviewerInvite(ctx context.Context, email conf.Email, c conf.ConferenceID, role string, respondBy time.Time) (Invite, error) {
	inv := Invite{Token: rand.Text(), Email: email, Conference: c, Role: role, RespondBy: respondBy}
	raw, err := json.Marshal(inv)
	if err != nil {
		return Invite{}, err
	}
	err = m.store.Put(ctx, "invite:"+inv.Token, raw,
		kvstore.TTL(time.Until(respondBy)), // EXPECT kvttl
	)
	return inv, err
}
