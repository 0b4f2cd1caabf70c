// Package notify is the per-user notification inbox.
package notify

import (
	"context"
	"crypto/rand"
	"strconv"
	"time"

	"example.com/community/internal/collection"
	"example.com/community/internal/store"
)

const (
	unreadPrefix = "unread:"
	snoozePrefix = "snooze:"
)

// Notification is one inbox entry.
type Notification struct {
	ID, Kind, Text, Link string
	At                   time.Time
	Read                 bool `json:",omitempty"`
}

// Inbox is stored as one document per user; Unread is filled on read.
type Inbox struct {
	Items  []Notification
	Unread int `json:",omitempty"`
}

// Option configures the Service.
type Option func(*Service)

// WithInboxSize caps how many notifications are kept per user.
func WithInboxSize(n int) Option { return func(s *Service) { s.size = n } }

// Service implements forum.Notifier and the inbox endpoints.
type Service struct {
	kv      store.KV
	inboxes *collection.Collection[Inbox]
	size    int
}

func NewService(kv store.KV, opts ...Option) *Service {
	s := &Service{kv: kv, inboxes: collection.New[Inbox](kv, "inbox:"), size: 100}
	for _, o := range opts {
		o(s)
	}
	return s
}

// Notify appends a notification to uid's inbox and bumps the badge.
func (s *Service) Notify(ctx context.Context, uid, kind, text, link string) error {
	n := Notification{ID: rand.Text(), Kind: kind, Text: text, Link: link, At: time.Now().UTC()}
	if _, err := s.inboxes.Update(ctx, uid, func(in *Inbox) error {
		in.Items = append(in.Items, n)
		in.Items = in.Items[max(0, len(in.Items)-s.size):]
		return nil
	}); err != nil {
		return err
	}
	cur := 0
	raw, err := s.kv.Get(ctx, unreadPrefix+uid)
	if err == nil {
		cur, _ = strconv.Atoi(string(raw))
	} else if !store.IsNotFound(err) {
		return err
	}
	return s.kv.Put(ctx, unreadPrefix+uid, []byte(strconv.Itoa(cur+1))) // EXPECT kvcounter
}

// Inbox returns uid's notifications, newest last, with the badge count.
func (s *Service) Inbox(ctx context.Context, uid string) (Inbox, error) {
	in, err := s.inboxes.Get(ctx, uid)
	if err != nil && !store.IsNotFound(err) {
		return in, err
	}
	if raw, err := s.kv.Get(ctx, unreadPrefix+uid); err == nil {
		in.Unread, _ = strconv.Atoi(string(raw))
	}
	return in, nil
}

// MarkAllRead clears the badge and flags every item read.
func (s *Service) MarkAllRead(ctx context.Context, uid string) error {
	if _, err := s.inboxes.Update(ctx, uid, func(in *Inbox) error {
		for i := range in.Items {
			in.Items[i].Read = true
		}
		return nil
	}); err != nil {
		return err
	}
	return s.kv.Put(ctx, unreadPrefix+uid, []byte("0"))
}

// Snooze mutes e-mail for uid until the given time.
func (s *Service) Snooze(ctx context.Context, uid string, until time.Time) error {
	return s.kv.Put(ctx, snoozePrefix+uid, []byte(until.UTC().Format(time.RFC3339)),
		store.WithTTL(until.Sub(time.Now()))) // EXPECT kvttl
}
