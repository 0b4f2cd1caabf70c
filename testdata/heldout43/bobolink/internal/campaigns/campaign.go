// Package campaigns stores campaigns and runs the send scheduler.
package campaigns

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"bobolink/internal/cfkv"
	"bobolink/internal/clock"
	"bobolink/internal/kvkeys"
)

// Campaign states.
const (
	Draft     = "draft"
	Scheduled = "scheduled"
	Sending   = "sending"
	Sent      = "sent"
	Failed    = "failed"
)

// ErrNotSchedulable is returned when a campaign is not a draft.
var ErrNotSchedulable = errors.New("campaigns: only drafts can be scheduled")

// legalFooter is appended to every message and shown by the web view.
const legalFooter = `You are receiving this email because you subscribed to one of our lists or ` +
	`because you are a customer of ours. We send this message in accordance with applicable ` +
	`anti-spam legislation, including the CAN-SPAM Act of 2003, Canada's Anti-Spam Legislation ` +
	`(CASL) and the EU General Data Protection Regulation. If you no longer wish to receive ` +
	`these emails you can unsubscribe at any time using the link below, or change which lists ` +
	`you receive in the preference center; unsubscribe requests are honoured within ten ` +
	`business days and usually immediately. To exercise your rights of access, rectification ` +
	`or erasure under the GDPR, or to ask which personal data we hold about you and where it ` +
	`came from, reply to this message or write to our data protection officer at the postal ` +
	`address below. We never sell or rent your address to third parties. Our privacy notice ` +
	`explains how we use open and click tracking to measure engagement and how to opt out of ` +
	`tracking while staying subscribed. This message was sent by the sender named in the From ` +
	`line using the Bobolink campaign platform, which processes subscriber data on the sender's ` +
	`behalf under a data processing agreement. Bobolink Mail Ltd, 14 Fieldfare Row, Leeds.`

// Run is one execution of the sender for a campaign.
type Run struct {
	At   time.Time `json:"at"`
	Sent int       `json:"sent"`
	Err  string    `json:"err,omitempty"`
}

// Campaign is a message scheduled to one list.
type Campaign struct {
	ns    *cfkv.Namespace
	clock clock.Clock

	Tenant  string    `json:"tenant"`
	ID      string    `json:"id"`
	List    string    `json:"list"`
	Subject string    `json:"subject"`
	FromDom string    `json:"from_domain"`
	Status  string    `json:"status"`
	SendAt  time.Time `json:"send_at,omitzero"`
	Sent    int       `json:"sent"`
	History []Run     `json:"history,omitempty"`
}

// Book finds campaigns in a tenant namespace.
type Book struct {
	ns    *cfkv.Namespace
	clock clock.Clock
}

// NewBook binds a book to a tenant namespace.
func NewBook(ns *cfkv.Namespace, c clock.Clock) *Book { return &Book{ns: ns, clock: c} }

func (c *Campaign) keys() kvkeys.CampaignKey {
	return kvkeys.CampaignKey{Tenant: c.Tenant, ID: c.ID}
}

// Find loads a campaign.
func (b *Book) Find(ctx context.Context, tenant, id string) (*Campaign, error) {
	c := &Campaign{ns: b.ns, clock: b.clock, Tenant: tenant, ID: id}
	if err := c.Reload(ctx); err != nil {
		return nil, err
	}
	return c, nil
}

// Reload replaces c with the stored copy.
func (c *Campaign) Reload(ctx context.Context) error {
	raw, err := c.ns.Get(ctx, c.keys().Key())
	if err != nil {
		return err
	}
	return json.Unmarshal(raw, c)
}

// Save writes c back.
func (c *Campaign) Save(ctx context.Context) error {
	b, err := json.Marshal(c)
	if err != nil {
		return err
	}
	return c.ns.Put(ctx, c.keys().Key(), b, cfkv.PutOptions{})
}

// indexMeta is stored as metadata on schedule index entries so the scheduler
// and the web view can work from the key listing alone.
type indexMeta struct {
	Subject string `json:"subject"`
	List    string `json:"list"`
	Footer  string `json:"footer"`
}

// Schedule moves a draft to the schedule index.
func (c *Campaign) Schedule(ctx context.Context, at time.Time) error {
	if c.Status != Draft {
		return ErrNotSchedulable
	}
	c.Status = Scheduled
	c.SendAt = at.UTC()
	if err := c.Save(ctx); err != nil { // DEBATABLE kvrace
		return err
	}
	k := c.keys()
	idx := kvkeys.ScheduledKey(c.Tenant, c.SendAt, c.ID)
	if err := c.ns.Put(ctx, idx, []byte(c.ID), cfkv.PutOptions{
		ExpireAt: c.SendAt.Add(7 * 24 * time.Hour),
		Metadata: indexMeta{
			Subject: c.Subject,
			List:    c.List,
			Footer:  legalFooter, // EXPECT kvlimits
		},
	}); err != nil {
		return fmt.Errorf("campaigns: index %s: %w", c.ID, err)
	}
	// The edge shows a "scheduled" badge on the web view until the send starts.
	hold := []byte(c.SendAt.Format(time.RFC3339))
	return c.ns.Put(ctx, k.Key()+"/hold", hold, cfkv.PutOptions{TTL: clock.Until(c.clock, c.SendAt)}) // EXPECT kvttl
}

// Archive keeps the finished campaign for the retention period.
func (c *Campaign) Archive(ctx context.Context, retention time.Duration) error {
	b, err := json.Marshal(c)
	if err != nil {
		return err
	}
	ttl := clock.AtLeast(clock.Until(c.clock, c.SendAt.Add(retention)), time.Minute)
	return c.ns.Put(ctx, c.keys().Key(), b, cfkv.PutOptions{TTL: ttl})
}
