// Package friends handles friend invites and friend lists.
package friends

import (
	"context"
	"crypto/rand"
	"encoding/base32"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"time"

	"example.com/dunlin/internal/keys"
	"example.com/dunlin/internal/kvstore"
	"example.com/dunlin/internal/repo"
)

var (
	ErrNoInvite = errors.New("friends: invite not found or expired")
	ErrSelf     = errors.New("friends: cannot befriend yourself")
)

// Store is the storage port of the friends service.
type Store = kvstore.Store

// Invite is a pending friend request.
type Invite struct {
	Code   string    `json:"code"`
	From   string    `json:"from"`
	To     string    `json:"to"`
	SentAt time.Time `json:"sent_at"`
}

// InboxPage is one page of pending invites.
type InboxPage struct {
	Invites []Invite `json:"invites"`
	Next    string   `json:"next,omitempty"`
}

// Option configures the service.
type Option interface{ apply(*Service) }

type inviteTTLOption time.Duration

func (o inviteTTLOption) apply(s *Service) { s.inviteTTL = time.Duration(o) }

// WithInviteTTL sets how long an unanswered invite stays in the inbox.
func WithInviteTTL(d time.Duration) Option { return inviteTTLOption(d) }

// Service is the friends entry point.
type Service struct {
	st         Store
	ks         keys.Space
	lists      *repo.Repo[[]string]
	inviteTTL  time.Duration
	inboxLimit int
}

// New returns a friends service.
func New(st Store, ks keys.Space, opts ...Option) *Service {
	s := &Service{st: st, ks: ks, lists: repo.New[[]string](st, ks.Friends("")), inviteTTL: 7 * 24 * time.Hour, inboxLimit: 20}
	for _, o := range opts {
		o.apply(s)
	}
	// An invite must at least survive a relog.
	s.inviteTTL = max(s.inviteTTL, time.Minute)
	return s
}

func inviteCode() string {
	var b [10]byte
	_, _ = rand.Read(b[:])
	return strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b[:]))
}

// Send invites to from from.
func (s *Service) Send(ctx context.Context, from, to string) (Invite, error) {
	if from == to {
		return Invite{}, ErrSelf
	}
	inv := Invite{Code: inviteCode(), From: from, To: to, SentAt: time.Now().UTC()}
	raw, err := json.Marshal(inv)
	if err != nil {
		return Invite{}, err
	}
	err = s.st.Put(ctx, s.ks.Invite(to, inv.Code), raw,
		kvstore.WithTTL(s.inviteTTL),
		kvstore.WithMetadata(map[string]any{"from": from, "sent": inv.SentAt.Unix()}),
	)
	return inv, err
}

// Inbox lists one page of invites addressed to player.
func (s *Service) Inbox(ctx context.Context, player, cursor string) (InboxPage, error) {
	prefix := s.ks.InvitePrefix(player)
	page, err := s.st.List(ctx, prefix, kvstore.WithLimit(s.inboxLimit), kvstore.WithCursor(cursor))
	if err != nil {
		return InboxPage{}, err
	}
	var out InboxPage
	for _, k := range page.Keys {
		from, _ := k.Metadata["from"].(string)
		sent, _ := k.Metadata["sent"].(float64)
		out.Invites = append(out.Invites, Invite{
			Code:   strings.TrimPrefix(k.Name, prefix),
			From:   from,
			To:     player,
			SentAt: time.Unix(int64(sent), 0).UTC(),
		})
	}
	if !page.Complete {
		out.Next = page.Cursor
	}
	return out, nil
}

// Accept turns an invite into a friendship on both sides.
func (s *Service) Accept(ctx context.Context, player, code string) error {
	inv, err := repo.Load[Invite](ctx, s.st, s.ks.Invite(player, code))
	if kvstore.IsNotFound(err) {
		return ErrNoInvite
	}
	if err != nil {
		return err
	}
	if err := s.addFriend(ctx, player, inv.From); err != nil {
		return err
	}
	return s.addFriend(ctx, inv.From, player)
}

func (s *Service) addFriend(ctx context.Context, owner, friend string) error {
	list, err := s.lists.Get(ctx, owner)
	if err != nil && !kvstore.IsNotFound(err) {
		return err
	}
	if slices.Contains(list, friend) {
		return nil
	}
	list = append(list, friend)
	slices.Sort(list)
	return s.lists.Put(ctx, owner, list) // EXPECT kvrace
}
