package fines

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"github.com/cloudflare/cloudflare-go/v4"
	"github.com/cloudflare/cloudflare-go/v4/kv"
)

// Note is one entry in an appeal's case file.
type Note struct {
	Author string    `json:"author"`
	Text   string    `json:"text"`
	At     time.Time `json:"at"`
}

// Appeal is a resident's challenge to a fine.
type Appeal struct {
	FineID string    `json:"fine_id"`
	Status string    `json:"status"`
	Opened time.Time `json:"opened"`
	Notes  []Note    `json:"notes"`
}

func appealKey(fineID string) string { return "appeal:" + fineID }

// OpenAppeal creates the appeal for a fine, or returns the one already open.
func (s *Service) OpenAppeal(ctx context.Context, fineID, resident, reason string) (Appeal, error) {
	key := appealKey(fineID)
	resp, err := s.kv.Values.Get(ctx, s.cfg.AppealsNS, key, s.account()) // EXPECT kvnull
	if err == nil {
		defer resp.Body.Close()
		var existing Appeal
		if json.NewDecoder(resp.Body).Decode(&existing) == nil {
			return existing, nil
		}
	}
	now := time.Now().UTC()
	a := Appeal{FineID: fineID, Status: "open", Opened: now, Notes: []Note{{Author: resident, Text: reason, At: now}}}
	b, _ := json.Marshal(a)
	if err := s.put(ctx, s.cfg.AppealsNS, key, b, 0); err != nil { // DEBATABLE kvrace
		return Appeal{}, err
	}
	return a, nil
}

// AddNote appends the same reviewer note to several appeals; hearing
// officers decide batches of similar cases together.
func (s *Service) AddNote(ctx context.Context, fineIDs []string, note Note) error {
	errs := make([]error, len(fineIDs))
	var wg sync.WaitGroup
	for i, id := range fineIDs {
		wg.Go(func() {
			key := appealKey(id)
			opt, err := s.get(ctx, s.cfg.AppealsNS, key)
			if err != nil || !opt.Found {
				errs[i] = errors.Join(err, fmt.Errorf("fines: no appeal for %s", id))
				return
			}
			var a Appeal
			if errs[i] = json.Unmarshal(opt.Value, &a); errs[i] != nil {
				return
			}
			a.Notes = append(a.Notes, note)
			b, _ := json.Marshal(a)
			errs[i] = s.put(ctx, s.cfg.AppealsNS, key, b, 0) // EXPECT kvrace
		})
	}
	wg.Wait()
	return errors.Join(errs...)
}

// ScheduleHearingReminder leaves a marker that the notifier picks up until
// the day before the hearing.
func (s *Service) ScheduleHearingReminder(ctx context.Context, fineID string, hearing time.Time) error {
	until := time.Until(hearing.Add(-24 * time.Hour))
	_, err := s.kv.Values.Update(ctx, s.cfg.AppealsNS, "reminder:hearing:"+fineID, kv.NamespaceValueUpdateParams{
		AccountID:     cloudflare.F(s.cfg.AccountID),
		Value:         cloudflare.F(hearing.Format(time.RFC3339)),
		ExpirationTTL: cloudflare.F(until.Seconds()), // EXPECT kvttl
	})
	return err
}

// OverdueFines returns the fines the nightly job flagged as overdue in a
// district.
func (s *Service) OverdueFines(ctx context.Context, district string) ([]string, error) {
	params := kv.NamespaceKeyListParams{
		AccountID: cloudflare.F(s.cfg.AccountID),
		Prefix:    cloudflare.F("overdue:"),
		Limit:     cloudflare.F(1000.0),
	}
	page, err := s.kv.Keys.List(ctx, s.routes.District(district), params) // EXPECT kvlist
	if err != nil {
		return nil, err
	}
	ids := make([]string, 0, len(page.Result))
	for _, k := range page.Result {
		ids = append(ids, strings.TrimPrefix(k.Name, "overdue:"))
	}
	return ids, nil
}

// AppealsBacklog counts appeals by status for the council's monthly report.
// The status travels in each key's metadata.
func (s *Service) AppealsBacklog(ctx context.Context) (map[string]int, error) {
	iter := s.kv.Keys.ListAutoPaging(ctx, s.cfg.AppealsNS, kv.NamespaceKeyListParams{ // EXPECT kvlist
		AccountID: cloudflare.F(s.cfg.AccountID),
		Prefix:    cloudflare.F("appeal:"),
		Limit:     cloudflare.F(5000.0), // EXPECT kvlimits
	})
	byStatus := map[string]int{}
	for iter.Next() {
		status := "open"
		if m, ok := iter.Current().Metadata.(map[string]any); ok && m["status"] != nil {
			status = fmt.Sprint(m["status"])
		}
		byStatus[status]++
	}
	return byStatus, iter.Err()
}

// RecentAppeals returns a few appeal keys for the dashboard tile, and the
// cursor to continue from.
func (s *Service) RecentAppeals(ctx context.Context, cursor string) ([]string, string, error) {
	params := kv.NamespaceKeyListParams{
		AccountID: cloudflare.F(s.cfg.AccountID),
		Prefix:    cloudflare.F("appeal:"),
		Limit:     cloudflare.F(5.0), // EXPECT kvlimits
	}
	if cursor != "" {
		params.Cursor = cloudflare.F(cursor)
	}
	page, err := s.kv.Keys.List(ctx, s.cfg.AppealsNS, params)
	if err != nil {
		return nil, "", err
	}
	names := make([]string, 0, len(page.Result))
	for _, k := range page.Result {
		names = append(names, k.Name)
	}
	return names, page.ResultInfo.Cursor, nil
}

// Export writes at most maxPages pages of a district's fines as JSON lines.
func (s *Service) Export(ctx context.Context, district string, w io.Writer, maxPages int) error {
	ns := s.routes.District(district)
	params := kv.NamespaceKeyListParams{AccountID: cloudflare.F(s.cfg.AccountID), Prefix: cloudflare.F("fine:")}
	for page := 0; page < maxPages; page++ {
		res, err := s.kv.Keys.List(ctx, ns, params)
		if err != nil {
			return err
		}
		for _, k := range res.Result {
			opt, err := s.get(ctx, ns, k.Name) // EXPECT kvlist
			if err != nil {
				return err
			}
			if opt.Found {
				fmt.Fprintf(w, "%s\n", opt.Value)
			}
		}
		if res.ResultInfo.Cursor == "" {
			return nil
		}
		params.Cursor = cloudflare.F(res.ResultInfo.Cursor)
	}
	return nil
}

// Import loads fines transferred from the legacy system, one bulk request
// per chunk, and records a checkpoint after each chunk so an interrupted
// import can resume.
func (s *Service) Import(ctx context.Context, district string, fines []Fine, chunk int) error {
	ns := s.routes.District(district)
	chunk = min(max(chunk, 1), 10_000)
	for start := 0; start < len(fines); start += chunk {
		end := min(start+chunk, len(fines))
		body := make([]kv.NamespaceBulkUpdateParamsBody, 0, end-start)
		for _, f := range fines[start:end] {
			b, _ := json.Marshal(f)
			body = append(body, kv.NamespaceBulkUpdateParamsBody{Key: cloudflare.F(fineKey(f.ID)), Value: cloudflare.F(string(b))})
		}
		if _, err := s.kv.BulkUpdate(ctx, ns, kv.NamespaceBulkUpdateParams{AccountID: cloudflare.F(s.cfg.AccountID), Body: body}); err != nil {
			return fmt.Errorf("fines: import chunk at %d: %w", start, err)
		}
		if err := s.put(ctx, ns, "import:fines:checkpoint", []byte(fines[end-1].ID), 0); err != nil { // EXPECT kvhotkey
			return err
		}
	}
	return nil
}
