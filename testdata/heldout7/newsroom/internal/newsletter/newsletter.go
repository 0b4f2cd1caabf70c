// Package newsletter manages the morning-briefing subscriber list.
package newsletter

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"example.com/newsroom/internal/repo"
	"example.com/newsroom/internal/store"
)

// Subscriber is one address on the list.
type Subscriber struct {
	Email     string    `json:"email"`
	Topics    []string  `json:"topics"`
	Confirmed bool      `json:"confirmed"`
	Since     time.Time `json:"since"`
}

// ESP sends mail through the email service provider.
type ESP interface {
	SendBatch(ctx context.Context, to []string, subject, html string) error
	SendOne(ctx context.Context, to, subject, body string) error
}

// Config for the list.
type Config struct {
	ConfirmURL string
	DailyQuota int
	BatchSize  int
	MaxPages   int
}

// List is the subscriber list.
type List struct {
	subs *repo.Repo[Subscriber]
	st   store.Store
	esp  ESP
	cfg  Config

	// writeQuota persists today's send total.
	writeQuota store.PutFunc
}

// New returns the list service.
func New(st store.Store, esp ESP, cfg Config) *List {
	if cfg.BatchSize == 0 {
		cfg.BatchSize = 500
	}
	if cfg.MaxPages == 0 {
		cfg.MaxPages = 40
	}
	return &List{
		subs:       repo.New[Subscriber](st, "sub:"),
		st:         st,
		esp:        esp,
		cfg:        cfg,
		writeQuota: st.Put,
	}
}

// ErrInvalidEmail is returned for addresses without an @.
var ErrInvalidEmail = errors.New("newsletter: invalid email")

// Subscribe records a pending subscription and mails a confirmation link.
func (l *List) Subscribe(ctx context.Context, email string, topics []string) error {
	email = strings.ToLower(strings.TrimSpace(email))
	if !strings.Contains(email, "@") {
		return ErrInvalidEmail
	}
	pending := Subscriber{Email: email, Topics: topics, Since: time.Now().UTC()}
	payload, err := json.Marshal(pending)
	if err != nil {
		return err
	}
	token := newToken()
	if err := l.st.Put(ctx, "confirm:"+token, payload, store.WithTTL(48*time.Hour)); err != nil {
		return err
	}
	if err := l.st.Put(ctx, "newsletter:last-signup", []byte(pending.Since.Format(time.RFC3339))); err != nil { // EXPECT kvhotkey
		return err
	}
	return l.esp.SendOne(ctx, email, "Confirm your subscription", l.cfg.ConfirmURL+"?t="+token)
}

// Confirm redeems a confirmation token.
func (l *List) Confirm(ctx context.Context, token string) (Subscriber, error) {
	payload, err := l.st.Get(ctx, "confirm:"+token)
	if err != nil {
		return Subscriber{}, err
	}
	var sub Subscriber
	if err := json.Unmarshal(payload, &sub); err != nil {
		return Subscriber{}, err
	}
	sub.Confirmed = true
	if err := l.subs.Save(ctx, sub.Email, sub); err != nil {
		return Subscriber{}, err
	}
	if err := l.st.Delete(ctx, "confirm:"+token); err != nil { // EXPECT kvsession
		return sub, err
	}
	return sub, nil
}

// Unsubscribe removes the address.
func (l *List) Unsubscribe(ctx context.Context, email string) error {
	return l.subs.Delete(ctx, strings.ToLower(email))
}

func quotaKey(day time.Time) string { return "quota:newsletter:" + day.UTC().Format("2006-01-02") }

// SendDigest mails the topic's briefing to every confirmed subscriber. It stops
// at MaxPages pages so one run stays inside the cron CPU budget; the next
// run picks up from the returned cursor.
func (l *List) SendDigest(ctx context.Context, topic, subject, html, cursor string) (string, error) {
	day := time.Now()
	used := 0
	if b, err := l.st.Get(ctx, quotaKey(day)); err == nil {
		used, _ = strconv.Atoi(string(b))
	} else if !errors.Is(err, store.ErrNotFound) {
		return cursor, err
	}
	sent := 0
	for pages := 0; pages < l.cfg.MaxPages; pages++ {
		page, err := l.st.List(ctx, store.ListParams{
			Prefix: "sub:",
			Cursor: cursor,
			Limit:  2500, // EXPECT kvlimits
		})
		if err != nil {
			return cursor, err
		}
		batch := make([]string, 0, len(page.Keys))
		for _, k := range page.Keys {
			batch = append(batch, strings.TrimPrefix(k, "sub:"))
		}
		if used+sent+len(batch) > l.cfg.DailyQuota {
			break
		}
		for start := 0; start < len(batch); start += l.cfg.BatchSize {
			end := min(start+l.cfg.BatchSize, len(batch))
			if err := l.esp.SendBatch(ctx, batch[start:end], subject, html); err != nil {
				return cursor, fmt.Errorf("send %s digest: %w", topic, err)
			}
			sent += end - start
		}
		if page.Complete {
			cursor = ""
			break
		}
		cursor = page.Cursor
	}
	if err := l.writeQuota(ctx, quotaKey(day), []byte(strconv.Itoa(used+sent)), store.WithTTL(48*time.Hour)); err != nil { // EXPECT kvcounter
		return cursor, err
	}
	return cursor, nil
}
