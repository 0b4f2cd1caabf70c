// Package results stores lab results uploaded by clinics and serves them to
// patients and clinic staff.
package results

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"time"

	"example.com/corncrake/internal/config"
	"example.com/corncrake/internal/kvstore"
	"example.com/corncrake/internal/records"
	"example.com/corncrake/internal/tenancy"
)

// Analyte is one measured value.
type Analyte struct {
	Code  string `json:"code"`
	Value string `json:"value"`
	Unit  string `json:"unit"`
	Flag  string `json:"flag,omitempty"` // H, L, HH, LL
}

// LabResult is a panel result for one sample.
type LabResult struct {
	ID         string    `json:"id"`
	ClinicID   string    `json:"clinic_id"`
	PatientID  string    `json:"patient_id"`
	SampleID   string    `json:"sample_id"`
	Panel      string    `json:"panel"`
	Status     string    `json:"status"` // preliminary, final, corrected, released
	Collected  time.Time `json:"collected"`
	ReleasedAt time.Time `json:"released_at,omitzero"`
	Analytes   []Analyte `json:"analytes"`
}

// Summary is the patient-facing digest of a result.
type Summary struct {
	ID         string    `json:"id"`
	Panel      string    `json:"panel"`
	Abnormal   int       `json:"abnormal"`
	ReleasedAt time.Time `json:"released_at"`
}

// Amendment is one entry in a result's amendment log.
type Amendment struct {
	At     time.Time `json:"at"`
	By     string    `json:"by"`
	Reason string    `json:"reason"`
}

// Clinic identifies the uploading tenant.
type Clinic struct {
	ID     string
	Region string
}

// ErrNotFound is returned for unknown results.
var ErrNotFound = errors.New("results: not found")

// Service is the results API.
type Service struct {
	router *tenancy.Router
	Views  *ViewCounter
}

// NewService returns a results service.
func NewService(r *tenancy.Router) *Service {
	return &Service{router: r, Views: &ViewCounter{router: r}}
}

func resultKey(clinicID, id string) string { return "result:" + clinicID + ":" + id }

func summaryCache(st kvstore.Store) *records.Base {
	b := &records.Base{
		Store:  st,
		KeyFor: func(id string) string { return "summary:" + id },
		TTL:    config.SummaryCacheTTL,
	}
	b.JSON()
	return b
}

func amendmentLog(st kvstore.Store) *records.Base {
	b := &records.Base{
		Store:  st,
		KeyFor: func(id string) string { return "amendments:" + id },
	}
	b.JSON()
	return b
}

// printQueue holds rendered-PDF pointers until the clinic's label printer
// agent polls for them.
func printQueue(st kvstore.Store) *records.Base {
	b := &records.Base{
		Store:  st,
		KeyFor: func(id string) string { return "print:" + id },
		TTL:    config.MustDuration("45s"), // EXPECT kvttl
	}
	b.JSON()
	return b
}

// Upload stores a batch of results from a clinic's LIS export.
func (s *Service) Upload(ctx context.Context, c Clinic, batch []LabResult) error {
	st, err := s.router.ForRegion(ctx, c.Region)
	if err != nil {
		return err
	}
	entries := make([]kvstore.Entry, 0, len(batch))
	for _, r := range batch {
		raw, err := json.Marshal(r)
		if err != nil {
			return fmt.Errorf("results: encode %s: %w", r.ID, err)
		}
		entries = append(entries, kvstore.Entry{
			Key:   resultKey(c.ID, r.ID),
			Value: raw,
			Opts: kvstore.PutOptions{Metadata: map[string]string{
				"panel": r.Panel, "status": r.Status, "patient": r.PatientID,
			}},
		})
	}
	if bw, ok := st.(kvstore.BatchWriter); ok {
		if err := bw.PutBatch(ctx, entries); err != nil {
			return err
		}
	} else {
		for _, e := range entries {
			if err := st.Put(ctx, e.Key, e.Value, e.Opts); err != nil {
				return err
			}
		}
	}

	var wg sync.WaitGroup
	errs := make([]error, len(batch))
	for i, r := range batch {
		wg.Go(func() {
			errs[i] = errors.Join(
				st.Put(ctx, "latest:"+c.ID+":"+r.PatientID, []byte(r.ID), kvstore.PutOptions{}),
				st.Put(ctx, "activity:"+c.ID, []byte(r.ID), kvstore.PutOptions{}), // EXPECT kvhotkey
			)
		})
	}
	wg.Wait()
	day := time.Now().UTC().Format("2006-01-02")
	if err := st.Put(ctx, "uploads:count:"+c.ID+":"+day, []byte(strconv.Itoa(len(batch))), kvstore.PutOptions{TTL: 48 * time.Hour}); err != nil { // DEBATABLE kvcounter
		return err
	}
	return errors.Join(errs...)
}

// Get reads one result.
func (s *Service) Get(ctx context.Context, c Clinic, id string) (LabResult, error) {
	st, err := s.router.ForRegion(ctx, c.Region)
	if err != nil {
		return LabResult{}, err
	}
	r := st.Get(ctx, resultKey(c.ID, id))
	if r.Err != nil {
		return LabResult{}, r.Err
	}
	if !r.Val.Found {
		return LabResult{}, ErrNotFound
	}
	var res LabResult
	err = json.Unmarshal(r.Val.Value, &res)
	return res, err
}

// Release makes a final result visible to the patient.
func (s *Service) Release(ctx context.Context, c Clinic, id, by string) error {
	st, err := s.router.ForRegion(ctx, c.Region)
	if err != nil {
		return err
	}
	res, err := s.Get(ctx, c, id)
	if err != nil {
		return err
	}
	if res.Status == "released" {
		return nil
	}
	res.Status = "released"
	res.ReleasedAt = time.Now().UTC()
	raw, err := json.Marshal(res)
	if err != nil {
		return err
	}
	if err := st.Put(ctx, resultKey(c.ID, id), raw, kvstore.PutOptions{ // EXPECT kvrace
		Metadata: map[string]string{"panel": res.Panel, "status": res.Status, "patient": res.PatientID},
	}); err != nil {
		return err
	}
	if err := amendmentLog(st).AppendEntry(ctx, id, Amendment{At: res.ReleasedAt, By: by, Reason: "released"}); err != nil {
		return err
	}
	return summaryCache(st).Remove(ctx, id)
}

// Correct records a corrected value and logs why.
func (s *Service) Correct(ctx context.Context, c Clinic, fixed LabResult, by, reason string) error {
	st, err := s.router.ForRegion(ctx, c.Region)
	if err != nil {
		return err
	}
	fixed.Status = "corrected"
	raw, err := json.Marshal(fixed)
	if err != nil {
		return err
	}
	if err := st.Put(ctx, resultKey(c.ID, fixed.ID), raw, kvstore.PutOptions{}); err != nil {
		return err
	}
	return amendmentLog(st).AppendEntry(ctx, fixed.ID, Amendment{At: time.Now().UTC(), By: by, Reason: reason})
}

// Annotate adds a clinician note line to a result.
func (s *Service) Annotate(ctx context.Context, c Clinic, id, author, note string) error {
	st, err := s.router.ForRegion(ctx, c.Region)
	if err != nil {
		return err
	}
	key := "notes:" + c.ID + ":" + id
	r := st.Get(ctx, key)
	if r.Err != nil {
		return r.Err
	}
	line := time.Now().UTC().Format(time.RFC3339) + " " + author + ": " + note
	text := line
	if r.Val.Found {
		text = string(r.Val.Value) + "\n" + line
	}
	return st.Put(ctx, key, []byte(text), kvstore.PutOptions{}) // EXPECT kvrace
}

// Summary returns the patient-facing digest, computing it on a cache miss.
func (s *Service) Summary(ctx context.Context, c Clinic, id string) (Summary, error) {
	st, err := s.router.ForRegion(ctx, c.Region)
	if err != nil {
		return Summary{}, err
	}
	cache := summaryCache(st)
	var sum Summary
	if ok, err := cache.Load(ctx, id, &sum); err != nil {
		return Summary{}, err
	} else if ok {
		return sum, nil
	}
	res, err := s.Get(ctx, c, id)
	if err != nil {
		return Summary{}, err
	}
	sum = Summary{ID: res.ID, Panel: res.Panel, ReleasedAt: res.ReleasedAt}
	for _, a := range res.Analytes {
		if a.Flag != "" {
			sum.Abnormal++
		}
	}
	if err := cache.Save(ctx, id, &sum); err != nil {
		return Summary{}, err
	}
	return sum, nil
}

// QueuePrint hands a rendered report to the clinic's printer agent.
func (s *Service) QueuePrint(ctx context.Context, c Clinic, id, pdfURL string) error {
	st, err := s.router.ForRegion(ctx, c.Region)
	if err != nil {
		return err
	}
	return printQueue(st).Save(ctx, id, map[string]string{"url": pdfURL, "clinic": c.ID})
}
