// Package tickets holds the service-desk tickets opened from Telegram chats
// and worked on by agents in the console.
package tickets

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/cloudflare/cloudflare-go"

	"github.com/egretdesk/egret/internal/kvstore"
)

// Status of a ticket.
type Status string

const (
	StatusOpen    Status = "open"
	StatusPending Status = "pending"
	StatusClosed  Status = "closed"
)

// ErrNoTicket is returned when a ticket does not exist.
var ErrNoTicket = errors.New("tickets: no such ticket")

// ErrQuotaExceeded is returned when a chat opened too many tickets today.
var ErrQuotaExceeded = errors.New("tickets: daily quota exceeded")

// Comment is one message on a ticket, from the customer or an agent.
type Comment struct {
	Author string    `json:"author"`
	Agent  bool      `json:"agent,omitempty"`
	Body   string    `json:"body"`
	At     time.Time `json:"at"`
}

// Ticket is stored as JSON under Key(ID).
type Ticket struct {
	ID          string    `json:"id"`
	Number      int       `json:"number"`
	ChatID      int64     `json:"chat_id"`
	OpenedBy    int64     `json:"opened_by"`
	Subject     string    `json:"subject"`
	Status      Status    `json:"status"`
	Assignee    string    `json:"assignee,omitempty"`
	Tags        []string  `json:"tags,omitempty"`
	Comments    []Comment `json:"comments,omitempty"`
	OpenedAt    time.Time `json:"opened_at"`
	SnoozeUntil time.Time `json:"snooze_until,omitempty"`
}

// Key is the KV key of a ticket.
func Key(id string) string { return "ticket:" + id }

// ChatPrefix is the prefix of the per-chat ticket index entries.
func ChatPrefix(chatID int64) string { return fmt.Sprintf("chat:%d:ticket:", chatID) }

// Service implements ticket operations over KV.
type Service struct {
	ns         *kvstore.Namespace
	dailyQuota int
	now        func() time.Time
}

// NewService returns a Service. dailyQuota <= 0 disables the quota.
func NewService(ns *kvstore.Namespace, dailyQuota int) *Service {
	return &Service{ns: ns, dailyQuota: dailyQuota, now: time.Now}
}

// Get loads one ticket.
func (s *Service) Get(ctx context.Context, id string) (*Ticket, error) {
	raw, err := s.ns.Get(ctx, Key(id))
	if errors.Is(err, kvstore.ErrNotFound) {
		return nil, ErrNoTicket
	}
	if err != nil {
		return nil, err
	}
	var t Ticket
	if err := json.Unmarshal(raw, &t); err != nil {
		return nil, fmt.Errorf("decode ticket %s: %w", id, err)
	}
	return &t, nil
}

func (s *Service) save(ctx context.Context, t *Ticket) error {
	raw, err := json.Marshal(t)
	if err != nil {
		return err
	}
	return s.ns.Put(ctx, Key(t.ID), raw)
}

// nextNumber hands out the human-facing ticket number shown in chat.
func (s *Service) nextNumber(ctx context.Context) (int, error) {
	const seqKey = "seq:ticket-number"
	n := 0
	raw, err := s.ns.Get(ctx, seqKey)
	switch {
	case errors.Is(err, kvstore.ErrNotFound):
	case err != nil:
		return 0, err
	default:
		if n, err = strconv.Atoi(string(raw)); err != nil {
			return 0, fmt.Errorf("corrupt ticket sequence: %w", err)
		}
	}
	n++
	if err := s.ns.Put(ctx, seqKey, []byte(strconv.Itoa(n))); err != nil { // EXPECT kvcounter|kvrace
		return 0, err
	}
	return n, nil
}

// chargeQuota counts a new ticket against the chat's allowance for today.
func (s *Service) chargeQuota(ctx context.Context, chatID int64) error {
	if s.dailyQuota <= 0 {
		return nil
	}
	day := s.now().UTC().Format("20060102")
	key := fmt.Sprintf("quota:tickets:%d:%s", chatID, day)
	used := 0
	if raw, err := s.ns.Get(ctx, key); err == nil {
		used, _ = strconv.Atoi(string(raw))
	} else if !errors.Is(err, kvstore.ErrNotFound) {
		return err
	}
	if used >= s.dailyQuota {
		return ErrQuotaExceeded
	}
	return s.ns.PutTTL(ctx, key, []byte(strconv.Itoa(used+1)), 36*time.Hour) // EXPECT kvcounter|kvrace
}

// Open creates a ticket for a chat and indexes it under the chat.
func (s *Service) Open(ctx context.Context, chatID, userID int64, subject, firstMessage string) (*Ticket, error) {
	if err := s.chargeQuota(ctx, chatID); err != nil {
		return nil, err
	}
	num, err := s.nextNumber(ctx)
	if err != nil {
		return nil, err
	}
	now := s.now()
	t := &Ticket{
		ID:       fmt.Sprintf("%d-%d", chatID, now.UnixNano()),
		Number:   num,
		ChatID:   chatID,
		OpenedBy: userID,
		Subject:  strings.TrimSpace(subject),
		Status:   StatusOpen,
		OpenedAt: now,
	}
	if firstMessage != "" {
		t.Comments = append(t.Comments, Comment{Author: strconv.FormatInt(userID, 10), Body: firstMessage, At: now})
	}
	if err := s.save(ctx, t); err != nil {
		return nil, err
	}
	// The chat index carries the subject in metadata so /status can render
	// a list from one page of keys.
	_, err = s.indexWrite(ctx, t)
	return t, err
}

func (s *Service) indexWrite(ctx context.Context, t *Ticket) (cloudflare.Response, error) {
	api, rc, id := s.ns.API()
	return api.WriteWorkersKVEntries(ctx, rc, cloudflare.WriteWorkersKVEntriesParams{
		NamespaceID: id,
		KVs: []*cloudflare.WorkersKVPair{{
			Key:      ChatPrefix(t.ChatID) + t.ID,
			Value:    strconv.Itoa(t.Number),
			Metadata: map[string]any{"n": t.Number, "s": truncate(t.Subject, 120), "st": t.Status},
		}},
	})
}

// AddComment appends a comment to the ticket's thread.
func (s *Service) AddComment(ctx context.Context, id string, c Comment) (*Ticket, error) {
	t, err := s.Get(ctx, id)
	if err != nil {
		return nil, err
	}
	if c.At.IsZero() {
		c.At = s.now()
	}
	t.Comments = append(t.Comments, c)
	if t.Status == StatusPending && !c.Agent {
		t.Status = StatusOpen
	}
	raw, err := json.Marshal(t)
	if err != nil {
		return nil, err
	}
	if err := s.ns.Put(ctx, Key(id), raw); err != nil { // EXPECT kvrace
		return nil, err
	}
	return t, nil
}

// Assign hands the ticket to an agent.
func (s *Service) Assign(ctx context.Context, id, agent string) error {
	t, err := s.Get(ctx, id)
	if err != nil {
		return err
	}
	if t.Status == StatusClosed {
		return fmt.Errorf("ticket #%d is closed", t.Number)
	}
	t.Assignee = agent
	return s.save(ctx, t) // EXPECT kvrace
}

// SetStatus changes the status through Mutate.
func (s *Service) SetStatus(ctx context.Context, id string, st Status) error {
	return s.ns.Mutate(ctx, Key(id), 0, func(old []byte) ([]byte, error) {
		if old == nil {
			return nil, ErrNoTicket
		}
		var t Ticket
		if err := json.Unmarshal(old, &t); err != nil {
			return nil, err
		}
		if t.Status == st {
			return nil, nil
		}
		t.Status = st
		return json.Marshal(&t)
	})
}

// Tag adds labels to a ticket's tag set.
func (s *Service) Tag(ctx context.Context, id string, tags ...string) error {
	return s.ns.Mutate(ctx, Key(id), 0, func(old []byte) ([]byte, error) {
		if old == nil {
			return nil, ErrNoTicket
		}
		var t Ticket
		if err := json.Unmarshal(old, &t); err != nil {
			return nil, err
		}
		for _, tag := range tags {
			if !containsFold(t.Tags, tag) {
				t.Tags = append(t.Tags, strings.ToLower(tag))
			}
		}
		return json.Marshal(&t)
	})
}

// Snooze hides a ticket from the queue until the given time. The marker key
// disappears on its own when the snooze ends.
func (s *Service) Snooze(ctx context.Context, id string, until time.Time) error {
	body, _ := json.Marshal(map[string]any{"until": until})
	ttl := time.Until(until)
	if ttl <= 0 {
		return s.ns.Delete(ctx, "snooze:"+id)
	}
	return s.ns.PutTTL(ctx, "snooze:"+id, body, ttl) // EXPECT kvttl
}

// Remind schedules a follow-up reminder marker; reminders shorter than a
// minute are still kept for a minute.
func (s *Service) Remind(ctx context.Context, id string, at time.Time) error {
	ttl := max(time.Until(at), time.Minute)
	return s.ns.PutTTL(ctx, "remind:"+id, []byte(at.UTC().Format(time.RFC3339)), ttl)
}

// Summary is one row of a chat's ticket list, built from list metadata.
type Summary struct {
	ID      string
	Number  int
	Subject string
	Status  Status
}

// ForChat returns one page of a chat's tickets and the cursor for the next.
func (s *Service) ForChat(ctx context.Context, chatID int64, cursor string) ([]Summary, string, error) {
	prefix := ChatPrefix(chatID)
	keys, next, err := s.ns.Page(ctx, prefix, cursor, 20)
	if err != nil {
		return nil, "", err
	}
	out := make([]Summary, 0, len(keys))
	for _, k := range keys {
		sm := Summary{ID: strings.TrimPrefix(k.Name, prefix)}
		if md, ok := k.Metadata.(map[string]any); ok {
			if n, ok := md["n"].(float64); ok {
				sm.Number = int(n)
			}
			sm.Subject, _ = md["s"].(string)
			if st, ok := md["st"].(string); ok {
				sm.Status = Status(st)
			}
		}
		out = append(out, sm)
	}
	return out, next, nil
}

func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

func containsFold(list []string, s string) bool {
	for _, v := range list {
		if strings.EqualFold(v, s) {
			return true
		}
	}
	return false
}
