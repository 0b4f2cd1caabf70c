// Package bounce classifies delivery failures and keeps suppression lists
// and bounce history up to date.
package bounce

import (
	"context"
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"time"

	"kahu/internal/kv"
	"kahu/internal/mail"
	"kahu/internal/policy"
)

// Event is one delivery failure or feedback report.
type Event struct {
	Customer   string    `json:"customer"`
	Recipient  string    `json:"recipient"`
	QueueID    string    `json:"queue_id"`
	Status     string    `json:"status"` // RFC 3463 enhanced code, e.g. 5.1.1
	Diagnostic string    `json:"diagnostic"`
	Kind       string    `json:"kind"` // bounce, complaint, autoreply
	At         time.Time `json:"at"`
}

// Decision tells the caller what happened to an event.
type Decision struct {
	Action string // suppressed, counted, recorded, ignored
	By     string
}

// Classifier is one link in the bounce classification chain.
type Classifier interface {
	SetNext(c Classifier) Classifier
	Handle(ctx context.Context, ev *Event) (Decision, error)
}

type next struct{ c Classifier }

func (n *next) SetNext(c Classifier) Classifier { n.c = c; return c }

func (n *next) forward(ctx context.Context, ev *Event) (Decision, error) {
	if n.c == nil {
		return Decision{Action: "ignored", By: "end"}, nil
	}
	return n.c.Handle(ctx, ev)
}

// Chain links classifiers in order and returns the head.
func Chain(cs ...Classifier) Classifier {
	for i := 0; i+1 < len(cs); i++ {
		cs[i].SetNext(cs[i+1])
	}
	return cs[0]
}

type suppression struct {
	Reason string    `json:"reason"`
	Status string    `json:"status,omitempty"`
	At     time.Time `json:"at"`
	Source string    `json:"source"`
}

// Lists holds the namespaces bounce handling writes to.
type Lists struct {
	Supp    kv.Namespace
	History kv.Namespace
}

func (l Lists) suppress(ctx context.Context, ev *Event, reason string) error {
	b, _ := json.Marshal(suppression{Reason: reason, Status: ev.Status, At: ev.At, Source: ev.QueueID})
	if err := l.Supp.Put(ctx, policy.SuppressionKey(ev.Customer, ev.Recipient), b); err != nil {
		return err
	}
	return l.addToIndex(ctx, ev.Customer, mail.Normalize(ev.Recipient))
}

// addToIndex keeps the per-customer list the dashboard pages through.
func (l Lists) addToIndex(ctx context.Context, customer, rcpt string) error {
	key := "supp-index:" + customer
	var idx []string
	raw, err := l.Supp.Get(ctx, key)
	switch {
	case errors.Is(err, kv.ErrNotFound):
	case err != nil:
		return err
	default:
		if err := json.Unmarshal(raw, &idx); err != nil {
			return err
		}
	}
	for _, r := range idx {
		if r == rcpt {
			return nil
		}
	}
	idx = append(idx, rcpt)
	b, _ := json.Marshal(idx)
	return l.Supp.Put(ctx, key, b) // EXPECT kvrace
}

// HardBounce suppresses permanently failing recipients.
type HardBounce struct {
	next
	Lists
}

func (h *HardBounce) Handle(ctx context.Context, ev *Event) (Decision, error) {
	if ev.Kind != "bounce" || !strings.HasPrefix(ev.Status, "5.") {
		return h.forward(ctx, ev)
	}
	switch ev.Status[:3] {
	case "5.1", "5.5":
		if err := h.suppress(ctx, ev, "hard bounce"); err != nil {
			return Decision{}, err
		}
		return Decision{Action: "suppressed", By: "hard"}, nil
	}
	return h.forward(ctx, ev)
}

// Complaint suppresses recipients who marked a message as spam.
type Complaint struct {
	next
	Lists
}

func (h *Complaint) Handle(ctx context.Context, ev *Event) (Decision, error) {
	if ev.Kind != "complaint" {
		return h.forward(ctx, ev)
	}
	if err := h.suppress(ctx, ev, "complaint"); err != nil {
		return Decision{}, err
	}
	return Decision{Action: "suppressed", By: "complaint"}, nil
}

// MailboxFull records quota-exceeded bounces in the recipient's history so
// that support can see a pattern before it turns into a hard bounce.
type MailboxFull struct {
	next
	Lists
}

func (h *MailboxFull) Handle(ctx context.Context, ev *Event) (Decision, error) {
	if ev.Status != "4.2.2" && ev.Status != "5.2.2" {
		return h.forward(ctx, ev)
	}
	if err := appendHistory(ctx, h.History, ev); err != nil {
		return Decision{}, err
	}
	return Decision{Action: "recorded", By: "mailbox-full"}, nil
}

func appendHistory(ctx context.Context, ns kv.Namespace, ev *Event) error {
	key := "bounce-hist:" + ev.Customer + ":" + mail.Fingerprint(mail.Normalize(ev.Recipient))
	var hist []Event
	if raw, err := ns.Get(ctx, key); err == nil {
		if err := json.Unmarshal(raw, &hist); err != nil {
			return err
		}
	} else if !errors.Is(err, kv.ErrNotFound) {
		return err
	}
	hist = append(hist, *ev)
	if len(hist) > 50 {
		hist = hist[len(hist)-50:]
	}
	b, _ := json.Marshal(hist)
	return ns.PutTTL(ctx, key, b, 90*24*time.Hour) // EXPECT kvrace
}

// SoftBounce counts transient failures per recipient and suppresses the
// recipient for the rest of the day once Threshold is reached.
type SoftBounce struct {
	next
	Lists
	Threshold int
}

func (h *SoftBounce) Handle(ctx context.Context, ev *Event) (Decision, error) {
	if ev.Kind != "bounce" || !strings.HasPrefix(ev.Status, "4.") {
		return h.forward(ctx, ev)
	}
	key := "soft:" + ev.Customer + ":" + mail.Fingerprint(mail.Normalize(ev.Recipient))
	n := 0
	raw, err := h.History.Get(ctx, key)
	if err != nil && !errors.Is(err, kv.ErrNotFound) {
		return Decision{}, err
	}
	if err == nil {
		n, _ = strconv.Atoi(string(raw))
	}
	n++
	if err := h.History.PutTTL(ctx, key, []byte(strconv.Itoa(n)), 7*24*time.Hour); err != nil { // EXPECT kvcounter|kvrace
		return Decision{}, err
	}
	if n < h.Threshold {
		return Decision{Action: "counted", By: "soft"}, nil
	}
	b, _ := json.Marshal(suppression{Reason: "repeated soft bounces", Status: ev.Status, At: ev.At, Source: ev.QueueID})
	if err := h.Supp.PutUntil(ctx, policy.SuppressionKey(ev.Customer, ev.Recipient), b,
		endOfDay(ev.At)); err != nil { // DEBATABLE kvttl
		return Decision{}, err
	}
	return Decision{Action: "suppressed", By: "soft"}, nil
}

func endOfDay(t time.Time) time.Time {
	y, m, d := t.UTC().Date()
	return time.Date(y, m, d+1, 0, 0, 0, 0, time.UTC)
}

// AutoReply drops vacation notices and other auto-replies.
type AutoReply struct{ next }

func (h *AutoReply) Handle(ctx context.Context, ev *Event) (Decision, error) {
	if ev.Kind == "autoreply" {
		return Decision{Action: "ignored", By: "autoreply"}, nil
	}
	return h.forward(ctx, ev)
}
