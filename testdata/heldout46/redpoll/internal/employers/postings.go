//go:build !js

// Package employers implements the back-office side of employer accounts:
// publishing postings against the plan's quota, account security and the
// dashboard summaries.
package employers

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	cloudflare "github.com/cloudflare/cloudflare-go/v3"
	"github.com/cloudflare/cloudflare-go/v3/kv"

	"github.com/redpoll-jobs/redpoll/internal/codec"
	"github.com/redpoll-jobs/redpoll/internal/config"
	"github.com/redpoll-jobs/redpoll/internal/keys"
	"github.com/redpoll-jobs/redpoll/internal/kvrest"
	"github.com/redpoll-jobs/redpoll/internal/records"
)

// ErrQuotaExceeded is returned when a plan's monthly allowance is used up.
var ErrQuotaExceeded = errors.New("employers: posting quota exceeded")

const (
	feedKey        = "postings/feed/latest"
	archiveChunk   = 25_000
	postingMetaPre = `{"v":1,"notice":"`
	postingMetaEnd = `"}`
	// complianceNotice is shown under every posting in the EU.
	complianceNotice = "This job advertisement is published by the employer named above, who is solely responsible for its content. " +
		"Redpoll Jobs does not verify salary ranges, benefits or the legal right to work in the advertised location. " +
		"Applicants should never be asked to pay a fee to apply, to attend an interview or to receive an offer of employment. " +
		"If you are asked for payment, or believe that this advertisement is misleading, discriminatory or fraudulent, report it " +
		"using the link at the bottom of the page. Personal data submitted with an application is processed by the employer as " +
		"controller under Regulation (EU) 2016/679; Redpoll Jobs acts as processor and retains application data for no longer " +
		"than twelve months after the posting closes. You may request access to, rectification or erasure of your data at any " +
		"time by contacting the employer directly or by writing to privacy@redpoll.example. Equal opportunity: the employer " +
		"states that applications are considered without regard to race, colour, religion, sex, sexual orientation, gender " +
		"identity, national origin, age, disability or any other characteristic protected by applicable law."
)

// Service publishes and manages postings.
type Service struct {
	store *kvrest.Store
	api   *cloudflare.Client
	cfg   config.Config
}

// NewService returns a Service.
func NewService(store *kvrest.Store, api *cloudflare.Client, cfg config.Config) *Service {
	return &Service{store: store, api: api, cfg: cfg}
}

func month(t time.Time) string { return t.UTC().Format("2006-01") }

// Publish stores p, charges it against the employer's quota and adds it to
// the employer's posting index.
func (s *Service) Publish(ctx context.Context, emp records.Employer, p records.Posting) error {
	plan, err := config.ParsePlan(emp.Plan)
	if err != nil {
		return err
	}
	qkey := keys.Quota(emp.ID, month(p.Published))
	raw, ok, err := s.store.Lookup(ctx, qkey)
	if err != nil {
		return err
	}
	var usage codec.Usage
	if ok {
		if usage, err = codec.UnmarshalUsage(raw); err != nil {
			return err
		}
	}
	if int(usage.Used) >= plan.PostingAllowance() {
		return ErrQuotaExceeded
	}
	usage.Used++
	usage.Changed = time.Now().Unix()
	if err := s.store.Put(ctx, qkey, codec.MarshalUsage(usage), 40*24*time.Hour); err != nil { // EXPECT kvcounter|kvrace
		return err
	}

	body, err := records.Encode(p)
	if err != nil {
		return err
	}
	if err := s.store.PutMeta(ctx, keys.Posting(p.ID), body, postingMetaPre+complianceNotice+postingMetaEnd); err != nil { // EXPECT kvlimits
		return err
	}

	ix := kvrest.Index{}
	ikey := keys.PostingByEmployer(emp.ID, "index")
	if err := ix.Load(ctx, s.store, ikey); err != nil {
		return err
	}
	ix[p.ID] = kvrest.Ref{Key: keys.Posting(p.ID), Updated: time.Now().Unix()}
	return ix.Save(ctx, s.store, ikey) // EXPECT kvrace
}

// UpdatePosting applies fn to the stored posting id and writes it back.
func (s *Service) UpdatePosting(ctx context.Context, id string, fn func(*records.Posting) error) error {
	key := keys.Posting(id)
	raw, err := s.store.Get(ctx, key)
	if err != nil {
		return err
	}
	p, err := records.DecodePosting(raw)
	if err != nil {
		return err
	}
	if err := fn(&p); err != nil {
		return err
	}
	out, err := codec.Gob(p)
	if err != nil {
		return err
	}
	return s.store.Put(ctx, key, out, 0) // EXPECT kvrace
}

// Close marks a posting closed.
func (s *Service) Close(ctx context.Context, id string) error {
	return s.UpdatePosting(ctx, id, func(p *records.Posting) error {
		p.Closed = true
		return nil
	})
}

// Extend moves a posting's deadline by d.
func (s *Service) Extend(ctx context.Context, id string, d time.Duration) error {
	return s.UpdatePosting(ctx, id, func(p *records.Posting) error {
		if p.Closed {
			return fmt.Errorf("employers: posting %s is closed", id)
		}
		p.ExpiresAt = p.ExpiresAt.Add(d)
		return nil
	})
}

// Import loads an archive of postings exported from the previous board.
func (s *Service) Import(ctx context.Context, posts []records.Posting) error {
	body := make([]kv.NamespaceBulkUpdateParamsBody, 0, len(posts))
	for _, p := range posts {
		raw, err := json.Marshal(p)
		if err != nil {
			return err
		}
		body = append(body, kv.NamespaceBulkUpdateParamsBody{
			Key:   cloudflare.F(keys.Posting(p.ID)),
			Value: cloudflare.F(string(raw)),
		})
	}
	var errs []error
	for start := 0; start < len(body); start += archiveChunk {
		end := min(start+archiveChunk, len(body))
		_, err := s.api.KV.Namespaces.Bulk.Update(ctx, s.cfg.NamespaceID, kv.NamespaceBulkUpdateParams{AccountID: cloudflare.F(s.cfg.AccountID), Body: body[start:end]}) // EXPECT kvlimits
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

// Announce records newly published postings in the public "latest" feed.
func (s *Service) Announce(ctx context.Context, posts []records.Posting) error {
	for _, p := range posts {
		raw, err := json.Marshal(map[string]string{"id": p.ID, "title": p.Title, "city": p.City})
		if err != nil {
			return err
		}
		if err := s.store.Put(ctx, feedKey, raw, 0); err != nil { // EXPECT kvhotkey
			return err
		}
	}
	return nil
}

// StageDrafts writes each draft under its own key, with a one-day lifetime.
func (s *Service) StageDrafts(ctx context.Context, emp records.Employer, drafts []records.Posting) error {
	save := func(k string, v []byte) error {
		return s.store.Put(ctx, k, v, 24*time.Hour)
	}
	for _, d := range drafts {
		raw, err := codec.Gob(d)
		if err != nil {
			return err
		}
		if err := save(keys.PostingByEmployer(emp.ID, "draft-"+d.ID), raw); err != nil {
			return err
		}
	}
	return save(keys.PostingByEmployer(emp.ID, "drafts-staged"), []byte(time.Now().UTC().Format(time.RFC3339)))
}

// Preview returns the first few postings of an employer for the dashboard
// header; the full list is on its own page.
func (s *Service) Preview(ctx context.Context, employerID string) ([]string, error) {
	page, err := s.api.KV.Namespaces.Keys.List(ctx, s.cfg.NamespaceID, kv.NamespaceKeyListParams{
		AccountID: cloudflare.F(s.cfg.AccountID),
		Prefix:    cloudflare.F(keys.PostingByEmployer(employerID, "")),
		Limit:     cloudflare.F(5.0), // EXPECT kvlimits
	})
	if err != nil {
		return nil, err
	}
	out := make([]string, 0, len(page.Result))
	for _, k := range page.Result {
		out = append(out, k.Name)
	}
	return out, nil
}

// ActiveCount returns how many postings an employer has live, used to
// reconcile the quota record at month end.
func (s *Service) ActiveCount(ctx context.Context, employerID string) (int, error) {
	names, _, err := s.store.Page(ctx, keys.PostingByEmployer(employerID, ""), "", s.cfg.ListPageSize) // EXPECT kvlist
	if err != nil {
		return 0, err
	}
	return len(names), nil
}

// ListPage serves the dashboard's paged posting list: one page per request,
// with the cursor handed back to the browser.
func (s *Service) ListPage(ctx context.Context, employerID, cursor string) ([]string, string, error) {
	page, next, err := s.store.Page(ctx, keys.PostingByEmployer(employerID, ""), cursor, 100)
	if err != nil {
		return nil, "", err
	}
	names := make([]string, 0, len(page))
	for _, k := range page {
		names = append(names, k.Name)
	}
	return names, next, nil
}

// SharePreview stores a preview copy of a posting for a colleague to look at.
func (s *Service) SharePreview(ctx context.Context, p records.Posting) (string, error) {
	raw, err := codec.Gob(p)
	if err != nil {
		return "", err
	}
	key := keys.PostingByEmployer(p.EmployerID, "preview-"+p.ID)
	if err := s.store.PutUntil(ctx, key, raw, time.Now().Add(30*time.Second)); err != nil { // EXPECT kvttl
		return "", err
	}
	return key, nil
}

// PinFeatured keeps a posting in the featured rail for a week.
func (s *Service) PinFeatured(ctx context.Context, p records.Posting) error {
	raw, err := codec.Gob(p)
	if err != nil {
		return err
	}
	return s.store.PutUntil(ctx, "featured/"+p.ID, raw, time.Now().Add(7*24*time.Hour))
}
