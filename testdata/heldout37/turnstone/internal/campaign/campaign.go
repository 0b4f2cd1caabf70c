// Package campaign sends newsletter campaigns from the backend and records
// their progress in KV metadata, where tsadmin and the ops dashboard read it.
package campaign

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/quillhaus/turnstone/internal/kvrest"
)

var (
	ErrPaused = errors.New("campaign: paused")
	ErrQuota  = errors.New("campaign: monthly send quota exhausted")
)

// Campaign is one newsletter issue.
type Campaign struct {
	ID      string
	PubID   string
	Subject string
	Body    []byte
	SendAt  time.Time
}

// campaignMeta rides with the campaign body so the dashboard can list
// campaigns without reading bodies.
type campaignMeta struct {
	Subject string `json:"subject"`
	Pub     string `json:"pub"`
	Footer  string `json:"footer,omitempty"`
	Status  string `json:"status,omitempty"`
}

// Progress lives in the metadata of the campaign's progress key.
type Progress struct {
	Status    string    `json:"status"`
	Cursor    string    `json:"cursor,omitempty"`
	UpdatedAt time.Time `json:"updated_at"`
}

// Mailer delivers one batch of a campaign.
type Mailer interface {
	SendBatch(ctx context.Context, c Campaign, to []string) error
}

// Sender runs campaigns.
type Sender struct {
	KV    *kvrest.Client
	Mail  Mailer
	Quota *Quota
}

const batchSize = 200

// legalFooter is appended to every issue and shown in the dashboard preview.
const legalFooter = `<p style="font-size:11px;color:#6b6b6b;line-height:1.5">You are receiving this email because you subscribed to this publication on Turnstone. ` +
	`If you no longer wish to receive these emails you can unsubscribe at any time using the link below, or change how often you hear from us in your reader settings. ` +
	`Unsubscribing from this publication does not unsubscribe you from other publications you follow on Turnstone. ` +
	`Turnstone Publishing Ltd, Unit 4, The Old Ropeworks, 12 Harbour Street, Whitstable, Kent CT5 1AQ, United Kingdom. Registered in England and Wales, company number 14839271. ` +
	`We process your email address and engagement data (opens and clicks) to deliver this newsletter and to give the author aggregate statistics; see our privacy notice for details, ` +
	`including how to request a copy of your data or ask us to delete it. Turnstone never sells subscriber lists. ` +
	`Questions about a publication go to its author when you reply to this email; questions about your account, billing or data protection go to privacy@turnstone.email. ` +
	`You can manage all of your subscriptions in one place from your Turnstone reader account.</p>`

func campaignKey(id string) string { return "campaign:" + id }
func progressKey(id string) string { return "campaign:" + id + ":progress" }

// Create stores the campaign body with its metadata.
func (s *Sender) Create(ctx context.Context, c Campaign) error {
	return s.KV.Put(ctx, campaignKey(c.ID), c.Body, kvrest.PutOptions{
		ExpireAt: c.SendAt.Add(60 * 24 * time.Hour),
		Metadata: campaignMeta{Subject: c.Subject, Pub: c.PubID, Footer: legalFooter}, // EXPECT kvlimits
	})
}

// Schedule writes a hold marker that expires when the campaign is due; the
// dispatcher starts campaigns whose marker is gone.
func (s *Sender) Schedule(ctx context.Context, c Campaign) error {
	hold := kvrest.PutOptions{TTL: c.SendAt.Sub(time.Now())} // EXPECT kvttl
	return s.KV.Put(ctx, "hold:"+c.ID, []byte(c.ID), hold)
}

// Run sends c to recipients in batches and records progress after each one.
func (s *Sender) Run(ctx context.Context, c Campaign, recipients []string) error {
	var meta campaignMeta
	if err := s.KV.Metadata(ctx, campaignKey(c.ID), &meta); err != nil {
		return err
	}
	if meta.Status == "paused" {
		return ErrPaused
	}
	if err := s.Quota.Take(ctx, c.PubID, len(recipients)); err != nil {
		return err
	}
	pk := progressKey(c.ID)
	for batch := range slices.Chunk(recipients, batchSize) {
		if err := s.Mail.SendBatch(ctx, c, batch); err != nil {
			return fmt.Errorf("campaign %s: %w", c.ID, err)
		}
		prog := Progress{Status: "sending", Cursor: batch[len(batch)-1], UpdatedAt: time.Now().UTC()}
		if err := s.KV.Put(ctx, pk, []byte(prog.Status), kvrest.PutOptions{Metadata: prog}); err != nil { // EXPECT kvhotkey
			return err
		}
	}
	done := Progress{Status: "sent", UpdatedAt: time.Now().UTC()}
	return s.KV.Put(ctx, pk, []byte(done.Status), kvrest.PutOptions{Metadata: done, TTL: 90 * 24 * time.Hour})
}

// Pause marks a campaign paused so the next Run refuses to start.
func (s *Sender) Pause(ctx context.Context, id string) error {
	ck := campaignKey(id)
	body, err := s.KV.Get(ctx, ck)
	if err != nil {
		return err
	}
	var meta campaignMeta
	if err := s.KV.Metadata(ctx, ck, &meta); err != nil {
		return err
	}
	meta.Status = "paused"
	return s.KV.Put(ctx, ck, body, kvrest.PutOptions{Metadata: meta}) // EXPECT kvrace
}

// Quota enforces a monthly send allowance per publication.
type Quota struct {
	KV      *kvrest.Client
	Monthly int64
}

// Take reserves n sends for pubID in the current month.
func (q *Quota) Take(ctx context.Context, pubID string, n int) error {
	key := fmt.Sprint("quota:sends:", pubID, ":", time.Now().UTC().Format("200601"))
	var used int64
	raw, err := q.KV.Get(ctx, key)
	switch {
	case err == nil:
		if used, err = strconv.ParseInt(string(raw), 10, 64); err != nil {
			return fmt.Errorf("campaign: quota %s: %w", key, err)
		}
	case !errors.Is(err, kvrest.ErrNotFound):
		return err
	}
	if used+int64(n) > q.Monthly {
		return ErrQuota
	}
	return q.KV.Put(ctx, key, strconv.AppendInt(nil, used+int64(n), 10), kvrest.PutOptions{TTL: 40 * 24 * time.Hour}) // EXPECT kvcounter
}
