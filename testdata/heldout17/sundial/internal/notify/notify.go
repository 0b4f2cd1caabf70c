//go:build js && wasm

// Package notify consumes the notification queue: it sends buyer and
// organiser email, tallies likes and applies account suspensions.
package notify

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"strconv"
	"text/template"
	"time"

	"github.com/syumai/workers/cloudflare/kv"
	"github.com/syumai/workers/cloudflare/queues"

	"example.com/sundial/internal/clock"
	"example.com/sundial/internal/keys"
)

const null = "<null>"

// Message is the body of a queued notification.
type Message struct {
	Kind     string            `json:"kind"`
	Event    string            `json:"event,omitempty"`
	Buyer    string            `json:"buyer,omitempty"`
	Email    string            `json:"email,omitempty"`
	Order    string            `json:"order,omitempty"`
	TokenIDs []string          `json:"token_ids,omitempty"`
	Data     map[string]string `json:"data,omitempty"`
}

// Mailer sends one email.
type Mailer interface {
	Send(ctx context.Context, to, subject, body string) error
}

// Consumer handles message batches.
type Consumer struct {
	NS    func() (*kv.Namespace, error)
	Mail  Mailer
	Clock clock.Clock
	Log   *slog.Logger
}

var defaultSubjects = map[string]string{
	"order.paid":     "Your tickets are confirmed",
	"order.refunded": "Your refund is on its way",
}

// Handle processes one batch. Messages that fail are retried individually.
func (c *Consumer) Handle(batch *queues.MessageBatch) error {
	ns, err := c.NS()
	if err != nil {
		batch.RetryAll(queues.WithRetryDelay(time.Minute))
		return nil
	}
	ctx := context.Background()
	for _, m := range batch.Messages {
		var msg Message
		body, err := m.StringBody()
		if err == nil {
			err = json.Unmarshal([]byte(body), &msg)
		}
		if err != nil {
			c.Log.Error("dropping malformed message", "id", m.ID, "error", err)
			m.Ack()
			continue
		}
		if err := c.handle(ctx, ns, msg); err != nil {
			c.Log.Warn("notification failed", "id", m.ID, "kind", msg.Kind, "attempts", m.Attempts, "error", err)
			m.Retry(queues.WithRetryDelay(time.Duration(m.Attempts+1) * 30 * time.Second))
			continue
		}
		stamp := c.Clock.Now().Format(time.RFC3339)
		if err := ns.PutString("delivery:"+m.ID, msg.Kind+" "+stamp, &kv.PutOptions{ExpirationTTL: 7 * 24 * 3600}); err != nil {
			c.Log.Warn("delivery log", "error", err)
		}
		if err := ns.PutString("notify:last-delivery", stamp, nil); err != nil { // EXPECT kvhotkey
			c.Log.Warn("delivery stamp", "error", err)
		}
		m.Ack()
	}
	return nil
}

func (c *Consumer) handle(ctx context.Context, ns *kv.Namespace, msg Message) error {
	switch msg.Kind {
	case "order.paid", "order.refunded":
		return c.email(ctx, ns, msg)
	case "event.liked":
		return c.like(ns, msg.Event)
	case "organiser.suspended":
		return c.suspend(ns, msg.TokenIDs)
	}
	return fmt.Errorf("notify: unknown kind %q", msg.Kind)
}

func (c *Consumer) email(ctx context.Context, ns *kv.Namespace, msg Message) error {
	subject, err := ns.GetString("subject:"+msg.Kind, &kv.GetOptions{CacheTTL: 3600})
	if err != nil {
		return err
	}
	if subject == null {
		subject = defaultSubjects[msg.Kind]
	}
	src, err := ns.GetString("template:"+msg.Kind, &kv.GetOptions{CacheTTL: 3600}) // EXPECT kvnull
	if err != nil {
		return err
	}
	tpl, err := template.New(msg.Kind).Parse(src)
	if err != nil {
		return fmt.Errorf("notify: template %s: %w", msg.Kind, err)
	}
	var body bytes.Buffer
	if err := tpl.Execute(&body, msg); err != nil {
		return err
	}
	return c.Mail.Send(ctx, msg.Email, subject, body.String())
}

func (c *Consumer) like(ns *kv.Namespace, eventID string) error {
	k := keys.Likes(eventID).String()
	cur, err := ns.GetString(k, nil)
	if err != nil {
		return err
	}
	var n int64
	if cur != null {
		n, _ = strconv.ParseInt(cur, 10, 64)
	}
	return ns.PutString(k, strconv.FormatInt(n+1, 10), nil) // EXPECT kvcounter
}

func (c *Consumer) suspend(ns *kv.Namespace, tokenIDs []string) error {
	for _, id := range tokenIDs {
		if err := ns.PutString(keys.Revoked(id).String(), "suspended", &kv.PutOptions{ExpirationTTL: 90 * 24 * 3600}); err != nil { // EXPECT kvsession
			return err
		}
	}
	return nil
}

// Producer enqueues notifications for this consumer.
type Producer struct {
	Queue *queues.Producer
}

// Notify implements orders.Notifier.
func (p Producer) Notify(_ context.Context, kind string, payload map[string]string) error {
	msg := Message{Kind: kind, Order: payload["order"], Email: payload["email"], Data: payload}
	b, err := json.Marshal(msg)
	if err != nil {
		return err
	}
	return p.Queue.SendText(string(b))
}
