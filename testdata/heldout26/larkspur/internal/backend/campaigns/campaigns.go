// Package campaigns manages campaign drafts, schedules and delivery.
package campaigns

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"slices"
	"strings"
	"time"

	"example.com/larkspur/internal/domain"
	"example.com/larkspur/internal/keys"
	"example.com/larkspur/internal/kvstore"
	"example.com/larkspur/internal/store"
	"example.com/larkspur/internal/tokens"
)

// Repo is the typed repository the service uses.
type Repo[T any] = store.Repo[T]

// Store is the storage port of the package.
type Store = kvstore.Store

var (
	ErrLocked     = errors.New("campaigns: another change to this campaign is in progress")
	ErrInPast     = errors.New("campaigns: send time is in the past")
	ErrNotFound   = errors.New("campaigns: no such campaign")
	ErrNoMailable = errors.New("campaigns: no recipients")
)

// Mailer delivers one batch of a campaign.
type Mailer interface {
	SendBatch(ctx context.Context, d domain.Draft, recipients []string) error
}

// Quota books sends against the sender's plan.
type Quota interface {
	Reserve(ctx context.Context, senderID string, n int) error
	Record(ctx context.Context, senderID string, n int) error
}

// defaultFooter is appended to every campaign that has no custom footer.
const defaultFooter = `<table role="presentation" width="100%" cellpadding="0" cellspacing="0" style="margin-top:32px;border-top:1px solid #e5e7eb">` +
	`<tr><td style="padding:24px 16px;font-family:-apple-system,Segoe UI,Roboto,Helvetica,Arial,sans-serif;font-size:12px;line-height:18px;color:#6b7280;text-align:center">` +
	`<p style="margin:0 0 8px">You received this email because you subscribed to {{.SenderName}}.</p>` +
	`<p style="margin:0 0 8px">{{.SenderAddress}}</p>` +
	`<p style="margin:0"><a href="{{.PrefsURL}}" style="color:#4b5563;text-decoration:underline">Update your preferences</a> &middot; ` +
	`<a href="{{.UnsubscribeURL}}" style="color:#4b5563;text-decoration:underline">Unsubscribe</a> &middot; ` +
	`<a href="{{.ArchiveURL}}" style="color:#4b5563;text-decoration:underline">View in browser</a></p>` +
	`</td></tr></table>`

var footerTemplate = template.Must(template.New("footer").Parse(defaultFooter))

// Footer are the values of the default footer.
type Footer struct {
	SenderName, SenderAddress            string
	PrefsURL, UnsubscribeURL, ArchiveURL string
}

// Service runs campaign workflows.
type Service struct {
	st      Store
	ks      keys.Space
	drafts  *Repo[domain.Draft]
	status  *Repo[domain.DeliveryStatus]
	lockTTL time.Duration
	audit   *Audit
	mailer  Mailer
	quota   Quota
	owner   string
}

// New returns a Service. Locks are held for lockSeconds at most.
func New(st Store, ks keys.Space, audit *Audit, m Mailer, q Quota, lockSeconds int) *Service {
	return &Service{st: st, ks: ks, audit: audit, mailer: m, quota: q, owner: tokens.NewID(),
		drafts:  store.New[domain.Draft](st, ks.Drafts()),
		status:  store.New[domain.DeliveryStatus](st, ks.Status("")),
		lockTTL: time.Duration(min(max(lockSeconds, 60), 3600)) * time.Second,
	}
}

// SaveDraft stores an edit of a draft and appends it to its history.
func (s *Service) SaveDraft(ctx context.Context, id, senderID, author, subject, html string) (domain.Draft, error) {
	d, err := s.drafts.Get(ctx, id)
	switch {
	case kvstore.IsNotFound(err):
		d = domain.Draft{ID: id, SenderID: senderID}
	case err != nil:
		return domain.Draft{}, err
	}
	d.Subject = subject
	d.HTML = html
	d.UpdatedAt = time.Now().UTC()
	d.Revisions = append(d.Revisions, domain.Revision{Author: author, Subject: subject, At: d.UpdatedAt})
	if err := s.drafts.Put(ctx, id, d); err != nil { // EXPECT kvrace
		return domain.Draft{}, err
	}
	return d, nil
}

// Draft returns one draft.
func (s *Service) Draft(ctx context.Context, id string) (domain.Draft, error) {
	d, err := s.drafts.Get(ctx, id)
	if kvstore.IsNotFound(err) {
		return d, ErrNotFound
	}
	return d, err
}

// ListDrafts returns one page of drafts for the dashboard.
func (s *Service) ListDrafts(ctx context.Context, cursor string) ([]domain.Draft, string, error) {
	ids, next, err := s.drafts.IDs(ctx, cursor, 50)
	if err != nil {
		return nil, "", err
	}
	out := make([]domain.Draft, 0, len(ids))
	for _, id := range ids {
		d, err := s.drafts.Get(ctx, id) // EXPECT kvlist
		if err != nil {
			return nil, "", err
		}
		out = append(out, d)
	}
	return out, next, nil
}

func (s *Service) acquire(ctx context.Context, key string) error {
	_, err := s.st.Get(ctx, key)
	if err == nil {
		return ErrLocked
	}
	if !kvstore.IsNotFound(err) {
		return err
	}
	return s.st.Put(ctx, key, []byte(s.owner), kvstore.WithTTL(s.lockTTL)) // EXPECT kvrace
}

func (s *Service) release(ctx context.Context, key string) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	_ = s.st.Delete(ctx, key)
}

// Schedule queues a campaign for sending at sch.SendAt.
func (s *Service) Schedule(ctx context.Context, sch domain.Schedule) error {
	if !sch.SendAt.After(time.Now()) {
		return ErrInPast
	}
	lock := s.ks.Lock("schedule:" + sch.CampaignID)
	if err := s.acquire(ctx, lock); err != nil {
		return err
	}
	defer s.release(ctx, lock)

	sch.State = domain.ScheduleQueued
	b, err := json.Marshal(sch)
	if err != nil {
		return err
	}
	if err := s.st.Put(ctx, s.ks.Schedule(sch.CampaignID), b); err != nil {
		return err
	}
	if err := s.st.Put(ctx, s.ks.Due(sch.SendAt.Unix(), sch.CampaignID), []byte(sch.CampaignID)); err != nil {
		return err
	}
	editable := []byte(sch.SendAt.UTC().Format(time.RFC3339))
	if err := s.st.Put(ctx, s.ks.Prefix()+"editable:"+sch.CampaignID, editable, kvstore.WithTTL(time.Until(sch.SendAt))); err != nil { // EXPECT kvttl
		return err
	}
	return s.audit.Append(ctx, sch.CampaignID, "scheduled for "+sch.SendAt.UTC().Format(time.RFC1123))
}

// Send delivers a campaign in batches of 500 recipients.
func (s *Service) Send(ctx context.Context, campaignID string, recipients []string) (err error) {
	if len(recipients) == 0 {
		return ErrNoMailable
	}
	d, err := s.Draft(ctx, campaignID)
	if err != nil {
		return err
	}
	if err := s.quota.Reserve(ctx, d.SenderID, len(recipients)); err != nil {
		return err
	}
	lock := s.ks.Lock("send:" + campaignID)
	if err := s.acquire(ctx, lock); err != nil {
		return err
	}
	defer func() {
		s.release(ctx, lock)
		state := domain.ScheduleSent
		if err != nil {
			state = domain.ScheduleFailed
		}
		final := domain.DeliveryStatus{CampaignID: campaignID, State: state, UpdatedAt: time.Now().UTC()}
		if perr := s.status.Put(ctx, campaignID, final); perr != nil && err == nil {
			err = perr
		}
	}()

	batches := slices.Collect(slices.Chunk(recipients, 500))
	for i, batch := range batches {
		if err := s.mailer.SendBatch(ctx, d, batch); err != nil {
			return fmt.Errorf("campaigns: batch %d of %d: %w", i+1, len(batches), err)
		}
		st := domain.DeliveryStatus{CampaignID: campaignID, State: domain.ScheduleSending, Batch: i, Batches: len(batches), UpdatedAt: time.Now().UTC()}
		if err := s.status.Put(ctx, campaignID, st); err != nil { // EXPECT kvhotkey
			return err
		}
	}
	return s.quota.Record(ctx, d.SenderID, len(recipients))
}

// Publish renders a draft with the default footer and stores the result as
// the campaign's archive page.
func (s *Service) Publish(ctx context.Context, campaignID string, f Footer) (string, error) {
	d, err := s.Draft(ctx, campaignID)
	if err != nil {
		return "", err
	}
	var sb strings.Builder
	if err := footerTemplate.Execute(&sb, f); err != nil {
		return "", err
	}
	footer := sb.String()
	if err := s.st.Put(ctx, s.ks.Template(defaultFooter), []byte(footer), kvstore.WithTTL(24*time.Hour)); err != nil { // EXPECT kvlimits
		return "", err
	}
	page := domain.ArchivePage{SenderID: d.SenderID, CampaignID: d.ID, Title: d.Subject, HTML: d.HTML + footer, SentAt: time.Now().UTC(), Tier: domain.TierArchive}
	if err := kvstore.Save(ctx, s.st, page.WithKey(s.ks.Archive(d.SenderID, d.ID))); err != nil {
		return "", err
	}
	return page.HTML, s.audit.Append(ctx, campaignID, "published to archive")
}

// auditRetention is how long audit trails are kept.
const auditRetention = 400 * 24 * time.Hour

// Audit writes campaign audit trails. Trails live in a separate namespace
// with its own access policy; everything else stays in the primary one.
type Audit struct {
	primary Store
	audit   Store
	ks      keys.Space
}

// NewAudit returns an Audit. audit may be the same store as primary in
// development.
func NewAudit(primary, audit Store, ks keys.Space) *Audit {
	return &Audit{primary: primary, audit: audit, ks: ks}
}

// pick returns the namespace a key belongs to.
func (a *Audit) pick(key string) Store {
	if strings.HasPrefix(key, a.ks.Prefix()+"audit:") {
		return a.audit
	}
	return a.primary
}

// Append adds a line to a campaign's trail.
func (a *Audit) Append(ctx context.Context, campaignID, line string) error {
	key := a.ks.Audit(campaignID)
	st := a.pick(key)
	old, err := st.Get(ctx, key)
	if err != nil && !kvstore.IsNotFound(err) {
		return err
	}
	entry := time.Now().UTC().Format(time.RFC3339) + " " + line + "\n"
	return st.Put(ctx, key, []byte(string(old)+entry), kvstore.WithTTL(auditRetention)) // EXPECT kvrace
}
