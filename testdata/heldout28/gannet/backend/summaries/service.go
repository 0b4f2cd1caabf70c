// Package summaries stores after-visit summaries for the patient portal.
// The signed original lives in the EHR; the copies here are compressed
// read models that the edge worker serves.
package summaries

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/cloudflare/cloudflare-go/v5"
	"github.com/cloudflare/cloudflare-go/v5/kv"

	"example.com/gannet/internal/codec"
	"example.com/gannet/internal/domain"
	"example.com/gannet/internal/keys"
	"example.com/gannet/internal/storage"
	"example.com/gannet/internal/ttl"
)

var timeNow = time.Now

// Renderer turns a summary into the HTML the portal shows.
type Renderer func(domain.VisitSummary) ([]byte, error)

// Service stores and serves summaries.
type Service struct {
	api     *cloudflare.Client
	account string
	ns      func() (string, error)
	kv      storage.KV
	render  Renderer
	loc     *time.Location
}

// New wires the service. ns resolves the summaries namespace at call time.
func New(api *cloudflare.Client, account string, ns func() (string, error), kvPort storage.KV, render Renderer, loc *time.Location) *Service {
	if loc == nil {
		loc = time.UTC
	}
	return &Service{api: api, account: account, ns: ns, kv: kvPort, render: render, loc: loc}
}

type summaryMeta struct {
	Clinician string `json:"c"`
	Signed    int64  `json:"s"`
	Encoding  string `json:"e"`
}

// Store saves a signed summary, compressed.
func (s *Service) Store(ctx context.Context, sum domain.VisitSummary) error {
	ns, err := s.ns()
	if err != nil {
		return err
	}
	raw, err := codec.Wrap("visit-summary", 1, sum)
	if err != nil {
		return err
	}
	gz, err := codec.Gzip(raw)
	if err != nil {
		return err
	}
	if err := codec.CheckSize(gz); err != nil {
		return fmt.Errorf("summaries: %s: %w", sum.VisitID, err)
	}
	retain := ttl.EndOfMonth(timeNow(), s.loc).AddDate(0, 3, 0)
	_, err = s.api.KV.Namespaces.Values.Update(ctx, ns, keys.Summary(sum.PatientID, sum.VisitID), kv.NamespaceValueUpdateParams{
		AccountID:  cloudflare.F(s.account),
		Value:      cloudflare.F(string(gz)),
		Expiration: cloudflare.F(float64(retain.Unix())),
		Metadata:   cloudflare.F[any](summaryMeta{Clinician: sum.ClinicianID, Signed: sum.Signed.Unix(), Encoding: "gzip"}),
	})
	return err
}

// Load returns a stored summary.
func (s *Service) Load(ctx context.Context, patientID, visitID string) (domain.VisitSummary, error) {
	b, ok, err := s.kv.Get(ctx, keys.Summary(patientID, visitID))
	if err != nil {
		return domain.VisitSummary{}, err
	}
	if !ok {
		return domain.VisitSummary{}, domain.ErrNotFound
	}
	return decode(b)
}

func decode(b []byte) (domain.VisitSummary, error) {
	raw, err := codec.Gunzip(b)
	if err != nil {
		return domain.VisitSummary{}, err
	}
	var sum domain.VisitSummary
	_, err = codec.Unwrap(raw, &sum, "visit-summary", 1, nil)
	return sum, err
}

// Rendered returns the portal HTML of a summary, cached next to it.
func (s *Service) Rendered(ctx context.Context, patientID, visitID string) ([]byte, error) {
	key := "summary-html:" + keys.Hash(patientID, visitID)
	if b, ok, err := s.kv.Get(ctx, key); err != nil {
		return nil, err
	} else if ok {
		return b, nil
	}
	sum, err := s.Load(ctx, patientID, visitID)
	if err != nil {
		return nil, err
	}
	html, err := s.render(sum)
	if err != nil {
		return nil, err
	}
	return html, s.kv.Put(ctx, key, html, storage.PutOptions{TTL: ttl.SummaryCache})
}

// ForPatient returns every summary of a patient, newest listing first.
func (s *Service) ForPatient(ctx context.Context, patientID string) ([]domain.VisitSummary, error) {
	var out []domain.VisitSummary
	cursor := ""
	for page := 0; page < 5; page++ {
		res, err := s.kv.List(ctx, storage.ListRequest{Prefix: keys.SummaryPrefix(patientID), Cursor: cursor})
		if err != nil {
			return nil, err
		}
		for _, k := range res.Keys {
			b, ok, err := s.kv.Get(ctx, k.Name) // EXPECT kvlist
			if err != nil {
				return nil, err
			}
			if !ok {
				continue
			}
			sum, err := decode(b)
			if err != nil {
				return nil, err
			}
			out = append(out, sum)
		}
		if res.Complete {
			break
		}
		cursor = res.Cursor
	}
	return out, nil
}

// Index lists the visit ids of a patient's summaries from key metadata,
// without reading the summaries themselves.
func (s *Service) Index(ctx context.Context, patientID string) ([]string, string, error) {
	prefix := keys.SummaryPrefix(patientID)
	res, err := s.kv.List(ctx, storage.ListRequest{Prefix: prefix, Limit: 100})
	if err != nil {
		return nil, "", err
	}
	ids := make([]string, 0, len(res.Keys))
	for _, k := range res.Keys {
		ids = append(ids, strings.TrimPrefix(k.Name, prefix))
	}
	return ids, res.Cursor, nil
}

// AppendAddendum adds a clinician's addendum to the summary's addenda log.
func (s *Service) AppendAddendum(ctx context.Context, visitID, text string) error {
	ns, err := s.ns()
	if err != nil {
		return err
	}
	key := "addenda:" + visitID
	old := ""
	res, err := s.api.KV.Namespaces.Values.Get(ctx, ns, key, kv.NamespaceValueGetParams{AccountID: cloudflare.F(s.account)})
	switch {
	case err == nil:
		b, rerr := io.ReadAll(res.Body)
		res.Body.Close()
		if rerr != nil {
			return rerr
		}
		old = string(b)
	case !isNotFound(err):
		return err
	}
	entry := timeNow().UTC().Format(time.RFC3339) + " " + text
	_, err = s.api.KV.Namespaces.Values.Update(ctx, ns, key, kv.NamespaceValueUpdateParams{ // EXPECT kvrace
		AccountID: cloudflare.F(s.account),
		Value:     cloudflare.F(old + entry + "\n"),
	})
	return err
}

// NotifyPrefs says how a patient wants to hear that a summary is ready.
type NotifyPrefs struct {
	Channel string `json:"channel"`
	Digest  bool   `json:"digest"`
}

var defaultNotify = NotifyPrefs{Channel: "portal"}

// NotificationPrefs returns a patient's summary notification preferences,
// storing the practice defaults the first time.
func (s *Service) NotificationPrefs(ctx context.Context, patientID string) (NotifyPrefs, error) {
	ns, err := s.ns()
	if err != nil {
		return NotifyPrefs{}, err
	}
	key := "notify-prefs:" + keys.Hash(patientID)
	res, err := s.api.KV.Namespaces.Values.Get(ctx, ns, key, kv.NamespaceValueGetParams{AccountID: cloudflare.F(s.account)}) // EXPECT kvnull
	if err != nil {
		// Nothing stored yet: start from the practice defaults.
		b, _ := json.Marshal(defaultNotify)
		_, err = s.api.KV.Namespaces.Values.Update(ctx, ns, key, kv.NamespaceValueUpdateParams{
			AccountID: cloudflare.F(s.account),
			Value:     cloudflare.F(string(b)),
		})
		return defaultNotify, err
	}
	defer res.Body.Close()
	var p NotifyPrefs
	err = json.NewDecoder(res.Body).Decode(&p)
	return p, err
}

func isNotFound(err error) bool {
	var apiErr *cloudflare.Error
	return asAPIError(err, &apiErr) && apiErr.StatusCode == 404
}
